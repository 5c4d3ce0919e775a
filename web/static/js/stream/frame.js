// One frame of the network stream page: which sections are drawn, and when, so that a frame
// writes to the page only what changed.
// - Every frame that is drawn: the playback panel, the feed and the piles (the tick counter,
//   the newest feed row and the newest square always show the same tick).
// - The ranking and the piles' counts lines: every frame; at a tick or more per frame their
//   text is spread over frames (one card, one counts line a frame: ranking.js, piles.js), so
//   that no frame lays out every one of them.
// - The per-type table: at most every TYPES_EVERY_MS while playing; paused, at once.
// - The strategies' setup rows and the feed's filter menus: only after something they show
//   changed (touch), never on a frame that only moves the tick.
// No DOM here: the views are given, and are called only through their update methods.

export const TYPES_EVERY_MS = 1000;  // live, yet rare enough to stay out of the frames' p95

/** Sections drawn only when touched: "setup" (a strategy's threshold, scores or running
 * state changed) and "tools" (the running strategies or the mix changed). */
export const ON_CHANGE = ["setup", "tools"];

export class FramePlan {
  /**
   * @param {{controls, ranking, setup, feedTools, feed, piles, types}} views - the page's
   *   section renderers (see stream_views.js), each with an update method
   * @param {() => number} [now] - the clock of the per-type table's cadence (ms)
   */
  constructor(views, now = () => performance.now()) {
    Object.assign(this, { views, now });
    this.typesDrawn = -Infinity;
    this.due = new Set(ON_CHANGE);
  }

  /** Draw the given sections on the next frame, e.g. touch("setup") after a threshold moved. */
  touch(...parts) {
    for (const part of parts) {
      if (!ON_CHANGE.includes(part)) throw new Error(`unknown section ${part}`);
      this.due.add(part);
    }
  }

  /**
   * Draw one frame.
   * @param {object} view - playing, fast (playing a tick or more per frame), tick, n, tracks (all
   *   strategies), active (running ones), rankBy, composition, and the arguments of the views:
   *   controls, feed, piles, types
   * @returns {boolean} true when a section was left for a later frame (ask for another one)
   */
  draw(view) {
    const { views } = this;
    const { playing, fast, tick, n } = view;
    const spread = playing && fast;
    // The ranking first: its reorder measures layout, which is still clean at this point.
    let later = views.ranking.update({ tracks: view.active, rankBy: view.rankBy, playing, spread }) === true;
    views.controls.update(view.controls);
    if (this.due.delete("setup")) views.setup.update(view.tracks);
    if (this.due.delete("tools")) views.feedTools.update(view.active, view.composition);
    views.feed.update(view.feed);
    later = views.piles.update({ ...view.piles, spread }) === true || later;
    const now = this.now();
    if (!playing || now - this.typesDrawn >= TYPES_EVERY_MS || tick === n) {
      this.typesDrawn = now;
      views.types.update(view.types);
    } else later = true;
    return later;
  }
}
