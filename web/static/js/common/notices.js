// What every page shows while Python loads and when something needs saying: the loading panel
// (a bar and the list of stages done, from the worker's progress events) and the notice bar (one
// message at a time, as text, never HTML, with a close button). The elements are in
// _base.html: #loading-label, #loading-bar, #loading-stages and #notice.

/** The loading panel, fed with the worker's progress events. */
export class LoadingProgress {
  constructor(doc = document) {
    this.$ = (id) => doc.getElementById(id);
    this.stages = new Map();
  }

  /** @param {{stage: string, label: string, step: number, steps: number, fraction: number}} p */
  show({ stage, label, step, steps, fraction }) {
    this.stages.set(stage, label);
    this.$("loading-label").textContent = `${label}…`;
    this.$("loading-bar").value = (step - 1 + fraction) / steps;
    const done = [...this.stages.values()];
    this.$("loading-stages").replaceChildren(...done.map((text, i) => {
      const li = document.createElement("li");
      li.textContent = text + (i < done.length - 1 ? " ✓" : "");
      return li;
    }));
  }
}

/** The notice bar. A message remembers its source, so that the part of the page that raised
 * it can clear it (`clear(source)`) without clearing someone else's message. */
export class NoticeBar {
  constructor(box) {
    this.box = box;
    this.source = null;
  }

  /** Show `message` (capitalised; "" hides the bar). */
  notify(message, source = "general") {
    const text = document.createElement("span");
    text.className = "notice-text";
    text.textContent = message.charAt(0).toUpperCase() + message.slice(1);
    const close = document.createElement("button");
    close.type = "button";
    close.className = "notice-close";
    close.textContent = "✕";
    close.setAttribute("aria-label", "Close this message");
    close.addEventListener("click", () => this.notify(""));
    this.box.replaceChildren(...(message ? [text, close] : []));
    this.box.hidden = !message;
    this.source = message ? source : null;
  }

  clear(source) {
    if (this.source === source) this.notify("");
  }
}
