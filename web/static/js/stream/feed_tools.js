// The feed's filter menus and CSV export, and the mix menu with its composition line.
import { SHOW, historyCsv } from "./history.js";
import { formatCount as fmt } from "./text.js";

function options(select, items, value) {
  select.replaceChildren(...items.map(([v, text]) => new Option(text, v)));
  select.value = items.some(([v]) => v === value) ? value : items[0][0];
}

export class FeedTools {
  /** @param {(id: string) => HTMLElement} $; @param {{feed, data, view: () => object}} parts -
   * the feed, the load reply, and the page's current {tracks, order, tick, mix, seed} */
  constructor($, { feed, data, view }) {
    Object.assign(this, { $, feed, data, view });
    this.tracksKey = null;
    this.typesKey = null;
    options($("feed-show"), Object.entries(SHOW), "all");
    for (const id of ["feed-show", "feed-strategy", "feed-type"]) {
      $(id).addEventListener("change", () => this.apply());
    }
    $("feed-export").addEventListener("click", () => this.exportCsv());
  }

  apply() {
    const { $ } = this;
    this.feed.setFilter({
      show: $("feed-show").value, strategy: $("feed-strategy").value, type: Number($("feed-type").value),
    });
  }

  /** Keep the strategy and type menus in step with the running strategies and the mix. */
  update(tracks, composition) {
    const { $ } = this;
    const tracksKey = tracks.map((t) => t.name).join(",");
    if (tracksKey !== this.tracksKey) {
      this.tracksKey = tracksKey;
      options($("feed-strategy"), [["", "any strategy"], ...tracks.map((t) => [t.name, t.title])], $("feed-strategy").value);
      this.apply();
    }
    const typesKey = composition.map(([name]) => name).join(",");
    if (typesKey !== this.typesKey) {
      this.typesKey = typesKey;
      const { label_names: names, labels } = this.data;
      const types = composition.filter(([name]) => name !== "normal").map(([name, k]) => {
        const code = names.indexOf(name);
        return [String(code), `${name}${labels.novel[code] ? " (novel)" : ""} · ${fmt(k)}`];
      });
      options($("feed-type"), [["-1", "every type"], ["0", "normal"], ...types], $("feed-type").value);
      this.apply();
    }
  }

  /** Download the filtered history (in play order) as CSV. */
  exportCsv() {
    const { tracks, order, mix, seed } = this.view();
    const positions = Int32Array.from(this.feed.positions()).reverse();
    const csv = historyCsv(positions, { data: this.data, order, tracks });
    const url = URL.createObjectURL(new Blob([csv], { type: "text/csv" }));
    const link = document.createElement("a");
    const filter = [this.$("feed-show").value, this.$("feed-strategy").value,
      this.$("feed-type").selectedOptions[0]?.text.split(" ")[0]].filter((v) => v && v !== "every").join("-");
    link.href = url;
    link.download = `anomascope-stream-${mix}-${seed ?? "built"}${filter ? `-${filter}` : ""}.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }
}

export class MixPicker {
  /** @param {(id: string) => HTMLElement} $; @param {{order: string[], definitions: object}} mixes
   * - Python's mixes; @param {(mix: string) => void} onChange */
  constructor($, mixes, onChange) {
    Object.assign(this, { $, mixes });
    options($("mix"), mixes.order.map((m) => [m, mixes.definitions[m].label]), "drawn");
    $("mix").addEventListener("change", () => onChange($("mix").value));
  }

  /** Show `mix` and the composition ([[label, rows]]) of the order in play. */
  show(mix, composition, novel, names) {
    const { $ } = this;
    if ($("mix").value !== mix) $("mix").value = mix;
    $("mix-description").textContent = this.mixes.definitions[mix].description;
    const attacks = composition.filter(([name]) => name !== "normal");
    const total = attacks.reduce((a, [, k]) => a + k, 0);
    const parts = attacks.map(([name, k]) => `${name}${novel[names.indexOf(name)] ? "*" : ""} ${fmt(k)}`);
    const normal = composition.find(([name]) => name === "normal")?.[1] ?? 0;
    $("mix-composition").textContent = `In play: ${fmt(normal)} normal, ${fmt(total)} attacks of ` +
      `${attacks.length} types (* = novel type): ${parts.join(" · ")}`;
  }
}
