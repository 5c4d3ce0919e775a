// The active model's layers as columns of units (height grows with the unit count), with the
// narrowest column (the bottleneck) highlighted and every width labelled in text.
import { CanvasView, COLORS, alpha } from "../views/canvas.js";

export class LayerDiagram extends CanvasView {
  /** @param {{layers: {units: number, label: string}[]}|null} s */
  draw(ctx, width, height, s) {
    if (!s || !s.layers.length || width < 10) return;
    const n = s.layers.length;
    const maxUnits = Math.max(...s.layers.map((l) => l.units));
    const minUnits = Math.min(...s.layers.map((l) => l.units));
    const colW = Math.min(46, (width - 20) / (2 * n));
    const step = (width - 20 - colW) / Math.max(1, n - 1);
    const top = 16, bottom = height - 44, mid = (top + bottom) / 2;
    const h = (u) => Math.max(8, (bottom - top) * Math.sqrt(u / maxUnits));
    ctx.textAlign = "center";
    // connections
    ctx.fillStyle = alpha(COLORS.normal, 0.1);
    for (let i = 0; i + 1 < n; i++) {
      const x0 = 10 + i * step + colW, x1 = 10 + (i + 1) * step;
      const a = h(s.layers[i].units) / 2, b = h(s.layers[i + 1].units) / 2;
      ctx.beginPath();
      ctx.moveTo(x0, mid - a); ctx.lineTo(x1, mid - b); ctx.lineTo(x1, mid + b); ctx.lineTo(x0, mid + a);
      ctx.closePath(); ctx.fill();
    }
    s.layers.forEach((layer, i) => {
      const x = 10 + i * step, hh = h(layer.units);
      const neck = layer.units === minUnits;
      ctx.fillStyle = neck ? COLORS.abnormal : COLORS.normal;
      ctx.fillRect(x, mid - hh / 2, colW, hh);
      if (neck) {
        ctx.strokeStyle = COLORS.ink; ctx.lineWidth = 2;
        ctx.strokeRect(x, mid - hh / 2, colW, hh);
      }
      ctx.fillStyle = COLORS.ink;
      ctx.fillText(String(layer.units), x + colW / 2, bottom + 16);
      ctx.fillStyle = COLORS.muted;
      ctx.fillText(layer.label, x + colW / 2, bottom + 32);
    });
    ctx.textAlign = "start";
  }
}
