// The final standings, shown when the stream is played to the end: the running strategies
// ranked by F1 with every threshold metric (titles from Python's metric definitions).
import { formatMetric } from "../common/metrics.js";
import { places, ranked } from "./ranking.js";
import { formatCount as fmt } from "./text.js";

/** Fill and show #summary for `tracks` at the end of an n-long stream; `uncaught` lists the
 * attack types ([[name, rows]]) that no strategy called an attack even once (the per-type
 * table #summary-types is filled by the page). */
export function showSummary($, { tracks, metrics, n, uncaught }) {
  const f1 = metrics.definitions.f1.title;
  $("summary-lede").textContent =
    `All ${fmt(n)} connections classified. Ranked by ${f1}; the thresholds are the ones set now.`;
  const place = places(tracks, "f1");
  $("standings").replaceChildren(...ranked(tracks, "f1").map((t) => {
    const li = document.createElement("li");
    li.value = place.get(t.name);  // tied strategies share a place
    li.dataset.name = t.name;
    const rates = t.rates();
    const parts = metrics.order.map((m) => `${metrics.definitions[m].title} ${formatMetric(rates[m])}`).join(" · ");
    li.textContent = `${t.title}: ${parts} (${t.countsText.replaceAll(" ·", ",")})`;
    return li;
  }));
  const list = uncaught.map(([name, k]) => `${name} (${fmt(k)})`).join(", ");
  $("summary-uncaught").textContent = uncaught.length
    ? `No strategy caught a single attack of these types: ${list}.`
    : "Every attack type in this mix was caught at least once by some strategy.";
  $("summary-uncaught").dataset.types = uncaught.map(([name]) => name).join(",");
  $("summary").hidden = false;
}
