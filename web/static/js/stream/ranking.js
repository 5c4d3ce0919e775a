// Strategies: the live ranking. One card per active track with a bar for each threshold
// metric (titles, formulas and order from Python's metric definitions), each with its formula
// filled in with the counts. Reordering animates FLIP-style (First, Last, Invert, Play) unless
// the visitor prefers reduced motion.
import { formatMetric, formulaWithCounts } from "../common/metrics.js";
import { putText } from "./text.js";

const REORDER_EVERY_MS = 400;
// The cards are narrow: formulas are shown without spaces, "TP/(TP+FP) = 3/(3+4)".
const compact = (text) => text.replace(/\s+/g, "");

/** A track's value of `metric` for ranking; an undefined metric ranks below every value. */
export function rankValue(track, metric) {
  return track.rates()[metric] ?? -1;
}

/** Competition ranks ("1, 2, 2, 4"): tied strategies share a place; by name. */
export function places(tracks, metric) {
  const values = tracks.map((t) => rankValue(t, metric));
  return new Map(tracks.map((t, i) => [t.name, 1 + values.filter((v) => v > values[i]).length]));
}

export function ranked(tracks, metric) {
  return [...tracks].sort((a, b) => rankValue(b, metric) - rankValue(a, metric) || a.title.localeCompare(b.title));
}

export class Ranking {
  /** @param {HTMLElement} list - the <ol>; @param {{order: string[], definitions: object}}
   * metrics - the schema's metrics: which to show, in order, with title and formula */
  constructor(list, metrics) {
    this.list = list;
    this.metrics = metrics;
    this.cards = new Map();
    this.lastReorder = -Infinity;
    this.motion = window.matchMedia("(prefers-reduced-motion: reduce)");
  }

  card(track) {
    if (this.cards.has(track.name)) return this.cards.get(track.name);
    const li = document.createElement("li");
    li.className = "rank-card";
    li.dataset.name = track.name;
    const head = document.createElement("div");
    head.className = "rank-head";
    const place = document.createElement("span");
    place.className = "place";
    const title = document.createElement("strong");
    title.textContent = track.title;
    const counts = document.createElement("span");
    counts.className = "counts";
    head.append(place, title, counts);
    li.append(head);
    const rows = {};
    for (const m of this.metrics.order) {
      const row = document.createElement("div");
      row.className = "metric";
      row.dataset.metric = m;
      const label = document.createElement("span");
      label.className = "metric-name";
      label.textContent = this.metrics.definitions[m].title;
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.setAttribute("role", "presentation");
      const fill = document.createElement("span");
      fill.className = "fill";
      bar.append(fill);
      const value = document.createElement("span");
      value.className = "value";
      const formula = document.createElement("code");
      formula.className = "formula";
      row.append(label, bar, value, formula);
      li.append(row);
      rows[m] = { fill, value, formula, last: "" };
    }
    const entry = { li, place, counts, rows, lastCounts: "" };
    this.cards.set(track.name, entry);
    return entry;
  }

  /** Cards of the running `tracks`, ranked by `rankBy`; while `playing`, reorders are spaced
   * out so the cards stay readable. */
  update({ tracks, rankBy, playing }, now = performance.now()) {
    for (const t of tracks) {
      const c = this.card(t);
      const counts = `${t.countsText}|${rankBy}`;
      if (counts === c.lastCounts) continue;
      c.lastCounts = counts;
      putText(c.counts, t.countsText);
      const rates = t.rates();
      for (const m of this.metrics.order) {
        const value = rates[m];
        const { formula } = this.metrics.definitions[m];
        const r = c.rows[m];
        putText(r.value, formatMetric(value));
        putText(r.formula, `${compact(formula)} = ${compact(formulaWithCounts(formula, t.counts))}`);
        r.fill.style.transform = `scaleX(${value ?? 0})`;
        r.fill.classList.toggle("lead", m === rankBy);
      }
    }
    const order = ranked(tracks, rankBy);
    const current = [...this.list.children].map((li) => li.dataset.name);
    const wanted = order.map((t) => t.name);
    const same = current.length === wanted.length && current.every((n, i) => n === wanted[i]);
    if (same) {
      if (this.list.dataset.rankedBy !== rankBy) this.list.dataset.rankedBy = rankBy;
      this.number(tracks, rankBy);
      return;
    }
    const membershipChanged = current.length !== wanted.length || !wanted.every((n) => current.includes(n));
    if (!membershipChanged && playing && now - this.lastReorder < REORDER_EVERY_MS) return;
    this.lastReorder = now;
    this.reorder(order, membershipChanged);
    this.number(tracks, rankBy);
    this.list.dataset.rankedBy = rankBy;
  }

  /** Write each card's place, shared by tied strategies. */
  number(tracks, rankBy) {
    for (const [name, place] of places(tracks, rankBy)) {
      const el = this.cards.get(name).place;
      putText(el, `#${place}`);
    }
  }

  reorder(order, instant) {
    const first = new Map([...this.list.children].map((li) => [li.dataset.name, li.getBoundingClientRect().top]));
    const items = order.map((t) => this.cards.get(t.name).li);
    this.list.replaceChildren(...items);
    this.list.dataset.reorder = instant || this.motion.matches ? "instant" : "animated";
    if (instant || this.motion.matches) return;
    for (const li of items) {
      const before = first.get(li.dataset.name);
      if (before === undefined) continue;
      const dy = before - li.getBoundingClientRect().top;
      if (Math.abs(dy) < 1) continue;
      li.animate([{ transform: `translateY(${dy}px)` }, { transform: "translateY(0)" }],
        { duration: 350, easing: "cubic-bezier(.2,.7,.3,1)" });
    }
  }
}
