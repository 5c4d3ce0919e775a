// Strategies: the live ranking. One card per active track with a bar for each threshold
// metric (titles, formulas and order from Python's metric definitions), each with its formula
// filled in with the counts. Reordering animates FLIP-style (First, Last, Invert, Play) unless
// the visitor prefers reduced motion. While playing, a frame rewrites the text of at most
// CARDS_PER_FRAME cards, in turn, so that no frame lays out every card; paused, all of them.
import { formatMetric, formulaWithCounts } from "../common/metrics.js";
import { putText } from "./text.js";

const REORDER_EVERY_MS = 400;
export const CARDS_PER_FRAME = 1;  // six cards: each rewritten ten times a second
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
  const value = new Map(tracks.map((t) => [t, rankValue(t, metric)]));
  return [...tracks].sort((a, b) => value.get(b) - value.get(a) || a.title.localeCompare(b.title));
}

export class Ranking {
  /** @param {HTMLElement} list - the <ol>; @param {{order: string[], definitions: object}}
   * metrics - the schema's metrics: which to show, in order, with title and formula */
  constructor(list, metrics) {
    this.list = list;
    this.metrics = metrics;
    this.cards = new Map();
    this.lastReorder = -Infinity;
    this.nextCard = 0;  // while playing, the first card whose text the next frame rewrites
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

  /** Cards of the running `tracks`, ranked by `rankBy`. While `playing`, reorders are spaced
   * out so the cards stay readable; with `spread` (playing a tick or more per frame) the cards'
   * text is rewritten CARDS_PER_FRAME cards a frame, in turn.
   * @returns {boolean} true when a card still shows older counts (it needs another frame) */
  update({ tracks, rankBy, playing, spread }, now = performance.now()) {
    for (const t of tracks) if (this.card(t).lastCounts === "") this.fill(t, rankBy);  // new cards
    const turn = spread ? Math.min(CARDS_PER_FRAME, tracks.length) : tracks.length;
    for (let i = 0; i < turn; i++) this.fill(tracks[(this.nextCard + i) % tracks.length], rankBy);
    this.nextCard = tracks.length ? (this.nextCard + turn) % tracks.length : 0;
    this.order(tracks, rankBy, playing, now);
    return tracks.some((t) => this.cards.get(t.name).lastCounts !== `${t.countsText}|${rankBy}`);
  }

  /** Put the cards in ranked order (spaced out while playing) and number them. */
  order(tracks, rankBy, playing, now) {
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

  /** Write a card's counts, values, bars and formulas (only when its counts changed). */
  fill(track, rankBy) {
    const c = this.card(track);
    const counts = `${track.countsText}|${rankBy}`;
    if (counts === c.lastCounts) return;
    c.lastCounts = counts;
    putText(c.counts, track.countsText);
    const rates = track.rates();
    for (const m of this.metrics.order) {
      const value = rates[m];
      const { formula } = this.metrics.definitions[m];
      const r = c.rows[m];
      putText(r.value, formatMetric(value));
      putText(r.formula, `${compact(formula)} = ${compact(formulaWithCounts(formula, track.counts))}`);
      r.fill.style.transform = `scaleX(${value ?? 0})`;
      r.fill.classList.toggle("lead", m === rankBy);
    }
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
