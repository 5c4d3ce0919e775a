// The network diagram: one column of nodes per layer (input, encoder, latent, decoder,
// output), at most 12 drawn per column with the true count written under it.
import { CanvasView, COLORS, alpha } from "../views/canvas.js";

const MAX_NODES = 12;
const PAD = { l: 24, r: 24, t: 14, b: 30 };
const ROLE_TEXT = { input: "in", output: "out", latent: "latent", hidden: "" };

export class NetworkDiagram extends CanvasView {
  /** @param {{layers: {units: number, role: "input"|"hidden"|"latent"|"output"}[]}|null} s */
  draw(ctx, width, height, s) {
    if (width < 10 || !s || !s.layers.length) return;
    const columns = layout(s.layers, width, height);
    ctx.strokeStyle = alpha(COLORS.ink, 0.1);
    for (let i = 0; i + 1 < columns.length; i++) {
      const a = columns[i], b = columns[i + 1];
      ctx.beginPath();
      for (const ya of a.ys) for (const yb of b.ys) { ctx.moveTo(a.x, ya); ctx.lineTo(b.x, yb); }
      ctx.stroke();
    }
    ctx.textAlign = "center";
    for (const c of columns) drawColumn(ctx, c, height);
    ctx.textAlign = "start";
  }
}

/** Where each layer's column and its drawn nodes go. */
function layout(layers, width, height) {
  const step = (width - PAD.l - PAD.r) / Math.max(1, layers.length - 1);
  const span = height - PAD.t - PAD.b;
  return layers.map((layer, i) => {
    const shown = Math.min(layer.units, MAX_NODES);
    const gap = Math.min(16, span / Math.max(1, shown));
    const top = PAD.t + (span - gap * (shown - 1)) / 2;
    return { ...layer, x: PAD.l + i * step, ys: Array.from({ length: shown }, (_, k) => top + k * gap), gap };
  });
}

function drawColumn(ctx, c, height) {
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
  ctx.fillText(ROLE_TEXT[c.role], c.x, height - 4);
}
