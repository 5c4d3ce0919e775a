// Keyboard focus must not land under a sticky bar: the page's top scroll padding follows the
// bar's height, so an element reached with Tab or Shift+Tab is scrolled clear of the bar.

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
