// The note a chart of the train page shows before it has data ("Appears after the first epoch.").
import { COLORS, fitCanvas } from "../views/canvas.js";

export const NOT_YET = "Appears after the first epoch.";

/** Write `text` in the middle of a chart, muted. */
export function drawPlaceholder(ctx, width, height, text = NOT_YET) {
  ctx.font = "12px system-ui, sans-serif";
  ctx.fillStyle = COLORS.muted;
  ctx.textAlign = "center";
  ctx.fillText(text, width / 2, height / 2);
  ctx.textAlign = "start";
}

/** Clear a canvas drawn by a shared view and write the placeholder on it. */
export function placeholderOn(canvas, text = NOT_YET) {
  const { ctx, width, height } = fitCanvas(canvas);
  drawPlaceholder(ctx, width, height, text);
}
