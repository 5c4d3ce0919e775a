// Test beats in the latent space (first two dimensions, or their first two principal
// components): normal beats as blue dots, abnormal beats as orange triangles.
import { CanvasView, COLORS, scale } from "../views/canvas.js";
import { drawPlaceholder } from "./placeholder.js";

const PAD = 12;

export class LatentScatter extends CanvasView {
  /** @param {{xy: {data: Float32Array}, abnormal: {data: Uint8Array}}|null} s  null: no epoch yet */
  draw(ctx, width, height, s) {
    if (width < 10) return;
    if (!s) {
      drawPlaceholder(ctx, width, height);
      return;
    }
    const xy = s.xy.data, ab = s.abnormal.data, n = ab.length;
    // robust axes (1st to 99th percentile): a few far-out beats are pinned to the border
    const [x0, x1] = spread(xy, 0, n), [y0, y1] = spread(xy, 1, n);
    const padX = (x1 - x0) * 0.05 || 1, padY = (y1 - y0) * 0.05 || 1;
    const x = scale(x0 - padX, x1 + padX, PAD, width - PAD);
    const y = scale(y0 - padY, y1 + padY, height - PAD, PAD);
    const px = (i) => x(clamp(xy[2 * i], x0 - padX, x1 + padX));
    const py = (i) => y(clamp(xy[2 * i + 1], y0 - padY, y1 + padY));
    ctx.strokeStyle = COLORS.grid;
    ctx.strokeRect(PAD, PAD, width - 2 * PAD, height - 2 * PAD);
    ctx.globalAlpha = 0.75;
    for (const wanted of [0, 1]) {  // abnormal drawn last, on top
      ctx.fillStyle = wanted ? COLORS.abnormal : COLORS.normal;
      ctx.beginPath();
      for (let i = 0; i < n; i++) {
        if (ab[i] === wanted) (wanted ? triangle : dot)(ctx, px(i), py(i));
      }
      ctx.fill();
    }
    ctx.globalAlpha = 1;
  }
}

function triangle(ctx, x, y) {
  ctx.moveTo(x, y - 4);
  ctx.lineTo(x + 3.5, y + 2.5);
  ctx.lineTo(x - 3.5, y + 2.5);
  ctx.closePath();
}

function dot(ctx, x, y) {
  ctx.moveTo(x + 2.5, y);
  ctx.arc(x, y, 2.5, 0, 2 * Math.PI);
}

function spread(xy, column, n) {
  const v = Float32Array.from({ length: n }, (_, i) => xy[2 * i + column]).sort();
  return [v[Math.floor(0.01 * (n - 1))], v[Math.ceil(0.99 * (n - 1))]];
}

function clamp(v, lo, hi) {
  return Math.min(Math.max(v, lo), hi);
}
