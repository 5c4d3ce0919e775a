// Test beats in the latent space (first two dimensions, or their first two principal
// components): normal beats as blue dots, abnormal beats as orange triangles.
import { COLORS, fitCanvas, scale } from "../views/canvas.js";

export class LatentScatter {
  constructor(canvas) {
    this.canvas = canvas;
  }

  /** @param {{xy: {data: Float32Array}, abnormal: {data: Uint8Array}}|null} s */
  update(s) {
    const { ctx, width, height } = fitCanvas(this.canvas);
    if (!s || width < 10) return;
    const xy = s.xy.data, ab = s.abnormal.data, n = ab.length;
    // robust axes (1st to 99th percentile): a few far-out beats are pinned to the border
    const [x0, x1] = spread(xy, 0, n), [y0, y1] = spread(xy, 1, n);
    const padX = (x1 - x0) * 0.05 || 1, padY = (y1 - y0) * 0.05 || 1;
    const pad = 12;
    const x = scale(x0 - padX, x1 + padX, pad, width - pad);
    const y = scale(y0 - padY, y1 + padY, height - pad, pad);
    ctx.strokeStyle = COLORS.grid;
    ctx.strokeRect(pad, pad, width - 2 * pad, height - 2 * pad);
    ctx.globalAlpha = 0.75;
    for (const wanted of [0, 1]) {  // abnormal drawn last, on top
      ctx.fillStyle = wanted ? COLORS.abnormal : COLORS.normal;
      ctx.beginPath();
      for (let i = 0; i < n; i++) {
        if (ab[i] !== wanted) continue;
        const px = x(clamp(xy[2 * i], x0 - padX, x1 + padX)), py = y(clamp(xy[2 * i + 1], y0 - padY, y1 + padY));
        if (wanted) { ctx.moveTo(px, py - 4); ctx.lineTo(px + 3.5, py + 2.5); ctx.lineTo(px - 3.5, py + 2.5); ctx.closePath(); }
        else { ctx.moveTo(px + 2.5, py); ctx.arc(px, py, 2.5, 0, 2 * Math.PI); }
      }
      ctx.fill();
    }
    ctx.globalAlpha = 1;
  }
}

function spread(xy, column, n) {
  const v = Float32Array.from({ length: n }, (_, i) => xy[2 * i + column]).sort();
  return [v[Math.floor(0.01 * (n - 1))], v[Math.ceil(0.99 * (n - 1))]];
}

function clamp(v, lo, hi) {
  return Math.min(Math.max(v, lo), hi);
}
