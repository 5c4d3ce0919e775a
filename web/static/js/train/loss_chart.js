// Training and validation loss per epoch (log scale): solid line with dots for training,
// dashed line with squares for validation, so the two differ by shape as well as colour.
import { CanvasView, COLORS, scale } from "../views/canvas.js";
import { drawPlaceholder } from "./placeholder.js";

const PAD = { l: 48, r: 12, t: 10, b: 30 };
const MAX_MARKS = 40;  // at most about this many markers per series

export class LossChart extends CanvasView {
  /** @param {{train: number[], val: number[], epochs: number}|null} s */
  draw(ctx, width, height, s) {
    if (width < 10) return;
    const values = s ? [...s.train, ...s.val].filter((v) => v > 0 && Number.isFinite(v)) : [];
    if (!values.length) {
      drawPlaceholder(ctx, width, height);
      return;
    }
    let lo = Math.log10(Math.min(...values)), hi = Math.log10(Math.max(...values));
    if (hi - lo < 0.3) { lo -= 0.15; hi += 0.15; }
    const last = Math.max(2, s.epochs);
    const x = scale(1, last, PAD.l, width - PAD.r);
    const y = scale(lo, hi, height - PAD.b, PAD.t);
    axes(ctx, width, height, { x, y, lo, hi, last });
    const py = (v) => y(Math.log10(Math.max(v, 10 ** lo)));
    const every = Math.max(1, Math.ceil(s.train.length / MAX_MARKS));
    const dot = (px, p) => { ctx.beginPath(); ctx.arc(px, p, 3, 0, 2 * Math.PI); ctx.fill(); };
    const square = (px, p) => ctx.fillRect(px - 3, p - 3, 6, 6);
    const series = [
      { data: s.train, color: COLORS.normal, dash: [], mark: dot },
      { data: s.val, color: COLORS.abnormal, dash: [6, 4], mark: square },
    ];
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
  }
}

/** Three horizontal grid lines with their loss, and the first and last epoch. */
function axes(ctx, width, height, { x, y, lo, hi, last }) {
  ctx.strokeStyle = COLORS.grid;
  ctx.fillStyle = COLORS.muted;
  for (const frac of [0, 0.5, 1]) {
    const e = lo + (hi - lo) * frac;
    ctx.beginPath(); ctx.moveTo(PAD.l, y(e)); ctx.lineTo(width - PAD.r, y(e)); ctx.stroke();
    ctx.fillText((10 ** e).toPrecision(2), 4, y(e) + 4);
  }
  ctx.fillText("1", x(1) - 3, height - 16);
  ctx.fillText(String(last), x(last) - 10, height - 16);
  ctx.fillText("epoch", (PAD.l + width - PAD.r) / 2 - 14, height - 4);
}
