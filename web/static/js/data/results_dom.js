// Small DOM helpers for the results half of the data page. Everything the user or Python
// supplies is set as text (textContent, attributes), never parsed as HTML.

/** `el("p", {className: "hint", id: "x"}, "text", child)`: an element with properties (and
 * `dataset` / `attrs` objects) and children (strings become text nodes). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  const { dataset, attrs, ...rest } = props;
  Object.assign(node, rest);
  for (const [k, v] of Object.entries(dataset ?? {})) node.dataset[k] = v;
  for (const [k, v] of Object.entries(attrs ?? {})) node.setAttribute(k, v);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

/** An array field of a reply as a plain indexable array: Python sends lists, or typed arrays
 * as {shape, data}. */
export function values(v) {
  if (v == null) return [];
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return v;
  if (typeof v === "object" && "data" in v) return v.data;
  return [];
}

/** Save bytes (or text) as a file through a temporary object URL. */
export function download(filename, bytes, type) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = el("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A status line: text, marked as a problem or not. */
export function setStatus(node, text, problem = false) {
  node.textContent = text;
  node.classList.toggle("problem", problem);
}

/** A runner that keeps at most one `task()` in flight and reruns it once if asked meanwhile. */
export function latestOnly(task) {
  let busy = null, again = false;
  return async function run() {
    if (busy) { again = true; return busy; }
    busy = (async () => {
      do { again = false; await task(); } while (again);
    })();
    try { await busy; } finally { busy = null; }
  };
}

/** A score or threshold with four significant digits ("0.0341", "12.5", "1.2e+5"). */
export function shortNumber(v) {
  if (typeof v !== "number" || !Number.isFinite(v)) return "–";
  return Math.abs(v) >= 1e5 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}
