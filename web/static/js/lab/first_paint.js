// First paint of the ECG lab: real beats on screen within moments of navigation, long before
// Python is ready. It starts the Python worker at once (the lab's client adopts it), then reads
// the same data file the worker loads (data/ecg5000.npz: a zip of .npy arrays) in plain JS and
// draws the first test beats in the loading panel, which the app hides once it is ready. The
// page then marks <html data-first-paint="drawn">; the canvas carries the number of beats drawn
// and the first beat's first values (data-beats, data-first-beat) so a test can check them
// against the file.
import { prestartWorker } from "../common/client.js";

// What the lab's Python worker loads before it is ready (lab_app.js boots its client with it),
// and the only sections of Python's schema the lab uses.
export const LAB_BOOT = {
  datasets: ["ecg5000"], modelDataset: "ecg5000", schema: ["kinds", "metrics"],
};
const DATA_URL = new URL("../../../data/ecg5000.npz", import.meta.url);
const BEATS = 12;       // the first beats of the test file, as on the viewer's first page
const COLUMNS = 6;

// The zip's central directory: {name: {method, size, offset}} (offset of the local header).
function zipEntries(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = bytes.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end -= 1;
  if (end < 0) throw new Error("not a zip file");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const entries = {};
  for (let i = 0; i < count; i += 1) {
    const nameLength = view.getUint16(at + 28, true);
    const extra = view.getUint16(at + 30, true);
    const comment = view.getUint16(at + 32, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    entries[name] = { method: view.getUint16(at + 10, true), size: view.getUint32(at + 20, true),
                      offset: view.getUint32(at + 42, true) };
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

// One member's bytes: stored as is, or deflated (then through DecompressionStream).
async function member(bytes, { method, size, offset }) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = offset + 30 + view.getUint16(offset + 26, true) + view.getUint16(offset + 28, true);
  const raw = bytes.subarray(start, start + size);
  if (method === 0) return raw;
  if (method !== 8) throw new Error(`zip method ${method} is not supported`);
  const stream = new Blob([raw]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const NPY_TYPES = { "<f4": Float32Array, "<f8": Float64Array, "|i1": Int8Array, "<i4": Int32Array };

// A .npy array: {shape, data} (little-endian, C order, the types above).
export function parseNpy(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const Typed = NPY_TYPES[descr];
  if (!Typed || /'fortran_order':\s*True/.test(header)) throw new Error(`unsupported .npy: ${header}`);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(",").filter((s) => s.trim()).map(Number);
  const start = headerStart + headerLength;
  const length = shape.reduce((a, b) => a * b, 1);
  const copy = bytes.slice(start, start + length * Typed.BYTES_PER_ELEMENT);  // aligned
  return { shape, data: new Typed(copy.buffer) };
}

/** The arrays `names` of an .npz file's bytes, by name (without ".npy"). */
export async function readNpz(bytes, names) {
  const entries = zipEntries(bytes);
  const out = {};
  for (const name of names) {
    const entry = entries[`${name}.npy`];
    if (!entry) throw new Error(`${name} is missing from the data file`);
    out[name] = parseNpy(await member(bytes, entry));
  }
  return out;
}

function drawBeats(canvas, X, y, count) {
  const css = getComputedStyle(document.documentElement);
  const color = (name) => css.getPropertyValue(name).trim();
  const width = canvas.clientWidth;
  const rows = Math.ceil(count / COLUMNS);
  const cellW = width / COLUMNS;
  const cellH = Math.min(70, cellW * 0.8);
  const ratio = window.devicePixelRatio || 1;
  canvas.style.height = `${rows * cellH}px`;
  canvas.width = Math.round(width * ratio);
  canvas.height = Math.round(rows * cellH * ratio);
  const ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  const steps = X.shape[1];
  for (let i = 0; i < count; i += 1) {
    const beat = X.data.subarray(i * steps, (i + 1) * steps);
    const lo = Math.min(...beat);
    const span = Math.max(...beat) - lo || 1;
    const x0 = (i % COLUMNS) * cellW + 4;
    const y0 = Math.floor(i / COLUMNS) * cellH + 4;
    ctx.strokeStyle = color("--line");
    ctx.strokeRect(x0 - 2, y0 - 2, cellW - 4, cellH - 4);
    ctx.strokeStyle = y.data[i] === 1 ? color("--normal") : color("--abnormal");
    ctx.lineWidth = 1.5;
    ctx.beginPath();
    beat.forEach((v, t) => {
      const px = x0 + (t / (steps - 1)) * (cellW - 8);
      const py = y0 + (1 - (v - lo) / span) * (cellH - 8);
      if (t === 0) ctx.moveTo(px, py); else ctx.lineTo(px, py);
    });
    ctx.stroke();
  }
}

function panel() {
  const figure = document.createElement("figure");
  figure.className = "first-paint";
  figure.style.margin = "14px 0 0";
  const canvas = document.createElement("canvas");
  canvas.id = "first-paint";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `The first ${BEATS} beats of the ECG5000 test file`);
  canvas.style.width = "100%";
  canvas.style.display = "block";
  const caption = document.createElement("figcaption");
  caption.className = "hint";
  caption.textContent = `The first ${BEATS} test beats (blue: labelled normal, orange: abnormal). `
    + "Scores and the controls come once Python is ready.";
  figure.append(canvas, caption);
  document.getElementById("loading").append(figure);
  return canvas;
}

async function firstPaint() {
  const response = await fetch(DATA_URL);
  if (!response.ok) throw new Error(`${DATA_URL.pathname}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const root = document.documentElement;
  if (root.dataset.appReady) return;  // the app was first: nothing to bridge
  const { test_X: X, test_y: y } = await readNpz(bytes, ["test_X", "test_y"]);
  const canvas = panel();
  const count = Math.min(BEATS, X.shape[0]);
  drawBeats(canvas, X, y, count);
  canvas.dataset.beats = String(count);
  canvas.dataset.firstBeat = JSON.stringify(Array.from(X.data.subarray(0, 8)));
  root.dataset.firstPaintMs = performance.now().toFixed(0);
  root.dataset.firstPaint = "drawn";
}

// A preview that cannot be drawn is left out; the loading panel and the app are unaffected.
if (typeof document !== "undefined") {
  prestartWorker(LAB_BOOT);  // the runtime starts now, not once the lab's modules have loaded
  firstPaint().catch((err) => console.warn(`The first beats could not be drawn early: ${err.message}`));
}
