// Detection by attack type, free of the DOM: per strategy, how many attacks of each type it
// has called attacks among the connections shown. Counted incrementally as the playhead
// moves; a moved threshold or a playhead moved back counts again from the start.

export class TypeCounts {
  /** @param {number} nLabels - size of the label vocabulary */
  constructor(nLabels) {
    this.nLabels = nLabels;
    this.seen = new Int32Array(nLabels);  // connections of each label shown
    this.shown = 0;
    this.byTrack = new Map();  // name -> {caught: Int32Array, counted, threshold}
  }

  reset() {
    this.seen.fill(0);
    this.shown = 0;
    this.byTrack.clear();
  }

  /**
   * Bring the counts to `tick` for `tracks` (each counted up to its own `counted`).
   * @param {{tracks: object[], tick: number, typeAt: (p: number) => number}} view
   * @returns {boolean} whether anything changed
   */
  update({ tracks, tick, typeAt }) {
    let changed = false;
    if (tick < this.shown) { this.reset(); changed = true; }
    for (let p = this.shown; p < tick; p++) this.seen[typeAt(p)]++;
    if (tick !== this.shown) changed = true;
    this.shown = tick;
    for (const t of tracks) {
      let c = this.byTrack.get(t.name);
      const upto = Math.min(tick, t.counted);
      if (!c || c.threshold !== t.threshold || upto < c.counted) {
        c = { caught: new Int32Array(this.nLabels), counted: 0, threshold: t.threshold };
        this.byTrack.set(t.name, c);
        changed = true;
      }
      for (let p = c.counted; p < upto; p++) if (t.flagged(p)) c.caught[typeAt(p)]++;
      if (upto !== c.counted) changed = true;
      c.counted = upto;
    }
    return changed;
  }

  /** Attacks of `code` called attacks by the strategy `name` (null before it has counts). */
  caught(name, code) {
    const c = this.byTrack.get(name);
    return c ? c.caught[code] : null;
  }

  /** Codes of the attack types (code > 0) no one of `names` caught once, among those seen. */
  uncaught(names) {
    const out = [];
    for (let code = 1; code < this.nLabels; code++) {
      if (this.seen[code] > 0 && names.every((n) => this.caught(n, code) === 0)) out.push(code);
    }
    return out;
  }
}
