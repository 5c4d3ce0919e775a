// The network diagram: one column of nodes per layer (input, encoder, latent, decoder,
// output), at most 12 drawn per column with the true count written under it.
import { COLORS, alpha, fitCanvas } from "../views/canvas.js";

const MAX_NODES = 12;

export class NetworkDiagram {
  constructor(canvas) {
    this.canvas = canvas;
  }

  /** @param {{layers: {units: number, role: "input"|"hidden"|"latent"|"output"}[], stale: boolean}} s */
  update({ layers }) {
    const { ctx, width, height } = fitCanvas(this.canvas);
    if (width < 10 || !layers.length) return;
    const pad = { l: 24, r: 24, t: 14, b: 30 };
    const step = (width - pad.l - pad.r) / Math.max(1, layers.length - 1);
    const span = height - pad.t - pad.b;
    const columns = layers.map((layer, i) => {
      const shown = Math.min(layer.units, MAX_NODES);
      const gap = Math.min(16, span / Math.max(1, shown));
      const top = pad.t + (span - gap * (shown - 1)) / 2;
      return { ...layer, x: pad.l + i * step, ys: Array.from({ length: shown }, (_, k) => top + k * gap), gap };
    });
    ctx.strokeStyle = alpha(COLORS.ink, 0.1);
    ctx.lineWidth = 1;
    for (let i = 0; i + 1 < columns.length; i++) {
      const a = columns[i], b = columns[i + 1];
      ctx.beginPath();
      for (const ya of a.ys) for (const yb of b.ys) { ctx.moveTo(a.x, ya); ctx.lineTo(b.x, yb); }
      ctx.stroke();
    }
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    for (const c of columns) {
      const r = Math.max(2.5, Math.min(5, c.gap / 2 - 1));
      for (const y of c.ys) {
        ctx.beginPath();
        if (c.role === "latent") {
          ctx.rect(c.x - r, y - r, 2 * r, 2 * r);  // square nodes: latent (shape, not colour only)
          ctx.fillStyle = COLORS.reconstruction;
        } else {
          ctx.arc(c.x, y, r, 0, 2 * Math.PI);
          ctx.fillStyle = c.role === "hidden" ? COLORS.normal : COLORS.ink;
        }
        ctx.fill();
      }
      if (c.units > MAX_NODES) {
        ctx.fillStyle = COLORS.muted;
        ctx.fillText("⋮", c.x + 10, height / 2);
      }
      ctx.fillStyle = COLORS.ink;
      ctx.fillText(String(c.units), c.x, height - 16);
      ctx.fillStyle = COLORS.muted;
      ctx.fillText({ input: "in", output: "out", latent: "latent", hidden: "" }[c.role], c.x, height - 4);
    }
    ctx.textAlign = "start";
  }
}
