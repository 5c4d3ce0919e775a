// Small drawing helpers shared by the renderers: high-DPI sizing and value->pixel scales.

/** Size a canvas's backing store to its CSS box times devicePixelRatio; returns the 2D context
 * scaled so that drawing uses CSS pixels. */
export function fitCanvas(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const { width, height } = canvas.getBoundingClientRect();
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  return { ctx, width, height };
}

/** Linear map from [d0, d1] to [r0, r1]. */
export function scale(d0, d1, r0, r1) {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  const f = (v) => r0 + (v - d0) * k;
  f.invert = (p) => d0 + (p - r0) / (k || 1);
  return f;
}

/** Colours: a colour-blind-safe pair (Okabe-Ito) for normal / abnormal, plus ink. */
export const COLORS = {
  normal: "#0072B2",
  abnormal: "#D55E00",
  reconstruction: "#009E73",
  error: "rgba(213, 94, 0, 0.22)",
  ink: "#1d2330",
  muted: "#8a93a6",
  grid: "#e6e9ef",
};

export function drawPolyline(ctx, values, x, y) {
  ctx.beginPath();
  for (let i = 0; i < values.length; i++) {
    const px = x(i);
    const py = y(values[i]);
    if (i === 0) ctx.moveTo(px, py);
    else ctx.lineTo(px, py);
  }
  ctx.stroke();
}
