// Strategies: the live ranking. One card per active track with bars for accuracy, precision,
// recall and F1, each with its formula and counts. Reordering animates FLIP-style (First, Last,
// Invert, Play) unless the visitor prefers reduced motion.
import { METRICS, METRIC_TITLES, formatMetric } from "./tracks.js";

const REORDER_EVERY_MS = 400;

export function rankValue(track, metric) {
  const v = track.metric(metric).value;
  return Number.isFinite(v) ? v : -1;
}

export function ranked(tracks, metric) {
  return [...tracks].sort((a, b) => rankValue(b, metric) - rankValue(a, metric) || a.title.localeCompare(b.title));
}

export class Ranking {
  constructor(list) {
    this.list = list;
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
    for (const m of METRICS) {
      const row = document.createElement("div");
      row.className = "metric";
      row.dataset.metric = m;
      const label = document.createElement("span");
      label.className = "metric-name";
      label.textContent = METRIC_TITLES[m];
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

  update(state, now = performance.now()) {
    const tracks = state.active;
    for (const t of tracks) {
      const c = this.card(t);
      const counts = `TP ${t.tp} · FP ${t.fp} · TN ${t.tn} · FN ${t.fn}`;
      if (counts === c.lastCounts) continue;
      c.lastCounts = counts;
      c.counts.textContent = counts;
      for (const m of METRICS) {
        const { value, formula } = t.metric(m);
        const r = c.rows[m];
        r.value.textContent = formatMetric(value);
        r.formula.textContent = formula;
        r.fill.style.transform = `scaleX(${Number.isFinite(value) ? value : 0})`;
        r.fill.classList.toggle("lead", m === state.rankBy);
      }
    }
    const order = ranked(tracks, state.rankBy);
    const current = [...this.list.children].map((li) => li.dataset.name);
    const wanted = order.map((t) => t.name);
    const same = current.length === wanted.length && current.every((n, i) => n === wanted[i]);
    if (same) {
      if (this.list.dataset.rankedBy !== state.rankBy) this.list.dataset.rankedBy = state.rankBy;
      return;
    }
    const membershipChanged = current.length !== wanted.length || !wanted.every((n) => current.includes(n));
    if (!membershipChanged && state.playing && now - this.lastReorder < REORDER_EVERY_MS) return;
    this.lastReorder = now;
    this.reorder(order, membershipChanged);
    this.list.dataset.rankedBy = state.rankBy;
  }

  reorder(order, instant) {
    const first = new Map([...this.list.children].map((li) => [li.dataset.name, li.getBoundingClientRect().top]));
    const items = order.map((t) => this.cards.get(t.name).li);
    this.list.replaceChildren(...items);
    items.forEach((li, i) => { this.cards.get(li.dataset.name).place.textContent = `#${i + 1}`; });
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
