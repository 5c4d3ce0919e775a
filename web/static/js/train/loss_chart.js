// Training and validation loss per epoch (log scale): solid line with dots for training,
// dashed line with squares for validation, so the two differ by shape as well as colour.
import { COLORS, fitCanvas, scale } from "../views/canvas.js";

export class LossChart {
  constructor(canvas) {
    this.canvas = canvas;
  }

  /** @param {{train: number[], val: number[], epochs: number}} s */
  update({ train, val, epochs }) {
    const { ctx, width, height } = fitCanvas(this.canvas);
    if (width < 10) return;
    const pad = { l: 48, r: 12, t: 10, b: 30 };
    ctx.font = "11px system-ui, sans-serif";
    const values = [...train, ...val].filter((v) => v > 0 && Number.isFinite(v));
    if (!values.length) {
      ctx.font = "12px system-ui, sans-serif";
      ctx.fillStyle = COLORS.muted;
      ctx.textAlign = "center";
      ctx.fillText("Appears after the first epoch.", width / 2, height / 2);
      ctx.textAlign = "start";
      return;
    }
    let lo = Math.log10(Math.min(...values)), hi = Math.log10(Math.max(...values));
    if (hi - lo < 0.3) { lo -= 0.15; hi += 0.15; }
    const x = scale(1, Math.max(2, epochs), pad.l, width - pad.r);
    const y = scale(lo, hi, height - pad.b, pad.t);
    const py = (v) => y(Math.log10(Math.max(v, 10 ** lo)));
    ctx.strokeStyle = COLORS.grid;
    ctx.fillStyle = COLORS.muted;
    for (const frac of [0, 0.5, 1]) {
      const e = lo + (hi - lo) * frac;
      ctx.beginPath(); ctx.moveTo(pad.l, y(e)); ctx.lineTo(width - pad.r, y(e)); ctx.stroke();
      ctx.fillText((10 ** e).toPrecision(2), 4, y(e) + 4);
    }
    ctx.fillText("1", x(1) - 3, height - 16);
    ctx.fillText(String(Math.max(2, epochs)), x(Math.max(2, epochs)) - 10, height - 16);
    ctx.fillText("epoch", (pad.l + width - pad.r) / 2 - 14, height - 4);
    const series = [
      { data: train, color: COLORS.normal, dash: [], mark: (px, p) => { ctx.beginPath(); ctx.arc(px, p, 3, 0, 2 * Math.PI); ctx.fill(); } },
      { data: val, color: COLORS.abnormal, dash: [6, 4], mark: (px, p) => ctx.fillRect(px - 3, p - 3, 6, 6) },
    ];
    const every = Math.max(1, Math.ceil(train.length / 40));
    for (const { data, color, dash, mark } of series) {
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = 2;
      ctx.setLineDash(dash);
      ctx.beginPath();
      data.forEach((v, i) => (i ? ctx.lineTo(x(i + 1), py(v)) : ctx.moveTo(x(1), py(v))));
      ctx.stroke();
      ctx.setLineDash([]);
      data.forEach((v, i) => { if (i % every === 0 || i === data.length - 1) mark(x(i + 1), py(v)); });
    }
    ctx.lineWidth = 1;
  }
}
