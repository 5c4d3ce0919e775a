// Sticky bars and what they may cover.
// - Keyboard focus must not land under a sticky bar: the page's top scroll padding follows the
//   bar's height, so an element reached with Tab or Shift+Tab is scrolled clear of the bar.
// - A block meant to fill the screen under a sticky bar (the stream's sections) stays wholly
//   under it when the bar grows (say, its counters got wider and its buttons wrapped).

/** @param {HTMLElement} bar - an element that is position: sticky (at least at some widths) */
export function keepFocusClearOf(bar) {
  const root = document.documentElement;
  const fit = () => {
    const sticky = getComputedStyle(bar).position === "sticky";
    root.style.scrollPaddingTop = sticky ? `${Math.ceil(bar.getBoundingClientRect().height) + 8}px` : "";
  };
  new ResizeObserver(fit).observe(bar);
  window.addEventListener("resize", fit);
  fit();
}

/**
 * Keep `block` under the sticky `bar` (top: 0) while `enabled()`: when the bar's height
 * changes and the block's top is behind the bar (not scrolled past), the page scrolls it clear.
 * @param {HTMLElement} bar
 * @param {HTMLElement} block
 * @param {() => boolean} enabled - e.g. whether a media query of the layout matches
 * @returns {() => void} brings the block under the bar now, unless it is already there, whole
 */
export function keepUnder(bar, block, enabled, gap = 8) {
  const bring = (always) => {
    if (!enabled()) return;
    const edge = bar.getBoundingClientRect();
    const box = block.getBoundingClientRect();
    const clear = box.top >= edge.bottom - 1;
    if (always ? clear && box.bottom <= window.innerHeight : clear || box.top < 0) return;
    window.scrollBy(0, box.top - edge.height - gap);  // the bar, once stuck, ends at its height
  };
  new ResizeObserver(() => bring(false)).observe(bar);
  return () => bring(true);
}
