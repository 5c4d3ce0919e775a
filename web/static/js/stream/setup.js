// Strategies and thresholds: which strategies run, and each one's threshold (a slider over the
// quantiles of its stream scores, a number box for any value, and a reset to the
// validation-chosen value).
import { formatCount as fmt } from "./text.js";

export class SetupList {
  constructor(container, { onToggle, onThreshold }) {
    this.container = container;
    this.onToggle = onToggle;
    this.onThreshold = onThreshold;
    this.rows = new Map();
  }

  build(tracks) {
    const rows = tracks.map((t) => {
      const row = document.createElement("div");
      row.className = "setup-row";
      row.dataset.name = t.name;
      const toggle = document.createElement("label");
      toggle.className = "toggle";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.checked = t.active;
      box.addEventListener("change", () => this.onToggle(t, box.checked));
      toggle.append(box, document.createTextNode(` ${t.title}`));
      const range = document.createElement("input");
      range.type = "range";
      range.min = "0";
      range.max = "1000";
      range.step = "1";
      range.setAttribute("aria-label", `${t.title} threshold (by share of stream scores)`);
      range.addEventListener("input", () => this.onThreshold(t, t.fromSlider(Number(range.value))));
      const number = document.createElement("input");
      number.type = "number";
      number.step = "any";
      number.className = "threshold-number";
      number.setAttribute("aria-label", `${t.title} threshold value`);
      number.addEventListener("change", () => {
        const v = Number(number.value);
        if (number.value.trim() !== "" && Number.isFinite(v)) this.onThreshold(t, v);
        else number.value = String(t.threshold);
      });
      const reset = document.createElement("button");
      reset.type = "button";
      reset.textContent = "Reset";
      reset.title = `Back to the validation-chosen threshold ${t.defaultThreshold.toPrecision(5)}`;
      reset.setAttribute("aria-label", `Reset the ${t.title} threshold to ${t.defaultThreshold.toPrecision(5)}`);
      reset.addEventListener("click", () => this.onThreshold(t, t.defaultThreshold));
      const note = document.createElement("span");
      note.className = "hint";
      row.append(toggle, range, number, reset, note);
      this.rows.set(t.name, { row, box, range, number, note, shown: null });
      return row;
    });
    this.container.replaceChildren(...rows);
  }

  update(tracks) {
    for (const t of tracks) {
      const r = this.rows.get(t.name);
      const key = `${t.threshold}|${Boolean(t.sorted)}|${t.active}|${t.scored}`;
      if (key === r.shown) continue;
      r.shown = key;
      r.box.checked = t.active;
      r.range.disabled = !t.sorted || !t.active;
      r.number.disabled = !t.active;
      if (document.activeElement !== r.range) r.range.value = String(t.toSlider(t.threshold));
      // Shown to five significant digits so the box never cuts it off; the exact value is kept.
      if (document.activeElement !== r.number) r.number.value = String(Number(t.threshold.toPrecision(5)));
      const moved = t.threshold !== t.defaultThreshold;
      const progress = `scored ${fmt(t.scored)} / ${fmt(t.n)}`;
      r.note.textContent = !t.active ? `not running${t.scored < t.n ? ` (${progress})` : ""}`
        : t.scored < t.n ? progress
        : moved ? `moved from ${t.defaultThreshold.toPrecision(5)}` : `validation-chosen (${t.rule ?? "rule unknown"})`;
    }
  }
}
