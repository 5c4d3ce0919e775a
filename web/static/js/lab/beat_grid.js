// Small multiples of ECG beats on one canvas. Renders a page of beats; knows nothing about
// Python. Colour and a word = true class (normal / abnormal / no label), a thick dashed frame
// and a ▲ = predicted anomaly, a solid dark ring = the selected beat. Arrow keys (and Home /
// End) move the selection when the canvas has focus. The canvas reports its layout in
// `data-cols`, `data-cell-width` and `data-cell-height` (CSS pixels; cells fill rows from the
// top left), so that a caller can point at cell k.
import { CanvasView, COLORS, drawPolyline, scale } from "../views/canvas.js";

const CELL_W = 116;
const CELL_H = 64;
const TRUTH_WORDS = ["", " · normal", " · abnormal"];  // by label: 0 = none, 1 = normal, 2-5 = abnormal

export class BeatGrid extends CanvasView {
  constructor(canvas, { onSelect }) {
    super(canvas);
    this.onSelect = onSelect;
    this.layout = { cols: 1, rows: 1 };
    this.visible = [];
    this.selected = -1;
    canvas.addEventListener("click", (e) => this.click(e));
    canvas.addEventListener("keydown", (e) => this.key(e));
  }

  key(event) {
    const last = this.visible.length - 1;
    const k = this.visible.indexOf(this.selected);
    const step = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -this.layout.cols, ArrowDown: this.layout.cols,
                   Home: -k, End: last - k }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    const next = k < 0 ? 0 : k + step;
    if (next >= 0 && next < this.visible.length) this.onSelect(this.visible[next]);
  }

  /** How many cells fit the canvas. */
  capacity() {
    const { width, height } = this.canvas.getBoundingClientRect();
    this.layout = { cols: Math.max(1, Math.floor(width / CELL_W)), rows: Math.max(1, Math.floor(height / CELL_H)) };
    return this.layout.cols * this.layout.rows;
  }

  /** @param {{beats: Float32Array, width: number, indices: number[], labels: Int8Array,
   *  scores: Float32Array|null, threshold: number, selected: number, prefix: string}|null} s */
  draw(ctx, width, height, s) {
    if (!s) return;
    this.visible = s.indices;
    this.selected = s.selected;
    const { cols } = this.layout;
    const cw = width / cols;
    Object.assign(this.canvas.dataset, { cols: String(cols), cellWidth: String(cw), cellHeight: String(CELL_H) });
    const y = scale(-5, 4, CELL_H - 6, 6);
    s.indices.forEach((index, k) => {
      ctx.save();
      ctx.translate((k % cols) * cw, Math.floor(k / cols) * CELL_H);
      const predicted = s.scores ? s.scores[index] > s.threshold : null;
      this.drawCell(ctx, cw, s, index, predicted, y);
      ctx.restore();
    });
  }

  /** One cell at the origin, `cw` wide: frame, flag, selection ring, the beat and its caption. */
  drawCell(ctx, cw, s, index, predicted, y) {
    const label = s.labels[index];
    ctx.fillStyle = index === s.selected ? "#fff6d6" : "#fbfcfe";
    ctx.fillRect(2, 2, cw - 4, CELL_H - 4);
    ctx.strokeStyle = COLORS.grid;
    ctx.lineWidth = 1;
    ctx.strokeRect(2, 2, cw - 4, CELL_H - 4);
    if (predicted) {
      ctx.strokeStyle = COLORS.abnormal;
      ctx.lineWidth = 2.5;
      ctx.setLineDash([5, 3]);
      ctx.strokeRect(3.5, 3.5, cw - 7, CELL_H - 7);
      ctx.setLineDash([]);
    }
    if (index === s.selected) {
      ctx.strokeStyle = COLORS.ink;
      ctx.lineWidth = 2;
      ctx.strokeRect(1, 1, cw - 2, CELL_H - 2);
    }
    ctx.strokeStyle = label === 0 ? COLORS.muted : label === 1 ? COLORS.normal : COLORS.abnormal;
    ctx.lineWidth = 1.2;
    const row = s.beats.subarray(index * s.width, (index + 1) * s.width);
    drawPolyline(ctx, row, scale(0, s.width - 1, 6, cw - 6), y);
    ctx.fillStyle = COLORS.muted;
    ctx.font = "10px system-ui, sans-serif";
    ctx.fillText(`${s.prefix ?? "#"}${index}${TRUTH_WORDS[Math.min(label, 2)]}`, 7, 15);
    if (predicted) {
      ctx.fillStyle = COLORS.abnormal;
      ctx.fillText("▲", cw - 17, 16);
    }
  }

  click(event) {
    const rect = this.canvas.getBoundingClientRect();
    const col = Math.floor((event.clientX - rect.left) / (rect.width / this.layout.cols));
    const row = Math.floor((event.clientY - rect.top) / CELL_H);
    const k = row * this.layout.cols + col;
    if (k >= 0 && k < this.visible.length) this.onSelect(this.visible[k], { pointer: true });
  }
}
