// Text writes that cost the least layout: an element showing a single text node keeps that
// node and only its characters change (setting textContent would remove the node and insert a
// new one, which restyles and re-lays out more). Returns whether anything was written.

/** Show `text` in `el`; false when it already did. */
export function putText(el, text) {
  const node = el.firstChild;
  if (node !== null && node === el.lastChild && node.nodeType === 3) {
    if (node.data === text) return false;
    node.data = text;
    return true;
  }
  if (el.textContent === text) return false;
  el.textContent = text;
  return true;
}

/** A count with thousands separators, "10,000" (as toLocaleString("en"), without building a
 * formatter on every call). */
export const formatCount = new Intl.NumberFormat("en").format;
