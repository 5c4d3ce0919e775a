// The stream page's views, built once the worker's hello reply is in: each section's renderer
// with the callbacks of the page controller (stream_app.js).
import { Controls } from "./controls.js";
import { ConnectionDetail } from "./detail.js";
import { ConnectionFeed } from "./feed.js";
import { FeedTools, MixPicker } from "./feed_tools.js";
import { Piles } from "./piles.js";
import { Ranking } from "./ranking.js";
import { SetupList } from "./setup.js";
import { TypeTable } from "./types.js";

/**
 * @param {(id: string) => HTMLElement} $ - the page's element lookup
 * @param {object} parts - data (the load reply), schema, python, notify, and the callbacks
 *   onOpen(p, opener), onMix(mix), onToggle(track, on), onThreshold(track, value) and
 *   current() -> {tracks, order, mix, seed}
 */
export function createViews($, { data, schema, python, notify, onOpen, onMix, onToggle, onThreshold, current }) {
  const feed = new ConnectionFeed({
    wrap: $("feed-body").closest(".feed-wrap"), head: $("feed-head"), body: $("feed-body"),
    spacer: $("feed-spacer"), count: $("feed-count"),
  }, { data, onOpen });
  return {
    controls: new Controls($),
    feed,
    feedTools: new FeedTools($, { feed, data, view: current }),
    ranking: new Ranking($("ranking"), schema.metrics),
    piles: new Piles($("piles"), onOpen),
    types: new TypeTable($("types-table"), data),
    summaryTypes: new TypeTable($("summary-types"), data),
    detail: new ConnectionDetail($("detail"), python, notify),
    mix: new MixPicker($, data.mixes, onMix),
    setup: new SetupList($("setup-list"), { onToggle, onThreshold }),
  };
}

export const INFO_KEY = "anomascope.stream.info-dismissed";

/** Show or dismiss the "About this page" panel (dismissed: remembered, focus back to the page). */
export function showInfo($, show) {
  $("info-panel").hidden = !show;
  if (show) {
    // Opened from anywhere on the page (the I key): brought into view where the user is.
    $("info-panel").scrollIntoView({ block: "nearest" });
    return;
  }
  try { localStorage.setItem(INFO_KEY, "1"); } catch { /* storage may be off: fine */ }
  // Focus goes back to the page, so the shortcuts work at once (Space plays, not "About").
  if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
}

/** The rank-by menu: the schema's threshold metrics by title, `rankBy` first. */
export function fillRankBy($, metrics, rankBy) {
  const order = [rankBy, ...metrics.order.filter((m) => m !== rankBy)];
  $("rank-by").replaceChildren(...order.map((m) => new Option(metrics.definitions[m].title, m)));
  $("rank-by").value = rankBy;
}
