// The stream's playback panel: speeds, the keyboard map, and the panel's text (counters, play
// button, speed and order labels, scoring status). Text is written only when it changed, so an
// unchanged frame costs no layout.
import { MAX, PER_FRAME } from "../common/player.js";
import { formatCount as fmt, putText } from "./text.js";

/** Speed levels of the slider: milliseconds per tick, then one tick per frame, then "max". */
export const SPEEDS = [1280, 640, 320, 160, 80, 40, 20, PER_FRAME, MAX];
export const MAX_TICKS_PER_FRAME = 20;


function speedLabel(speed) {
  if (speed === MAX) return `max (${MAX_TICKS_PER_FRAME} per frame)`;
  if (speed === PER_FRAME) return "1 per frame";
  return `${speed} ms per connection`;
}

/** Text fields keep every key; a threshold slider keeps its arrows, Home and End (the speed
 * slider does not: ↑/↓ are its own shortcuts, → steps); a focused scrolling region (the feed,
 * and the side-by-side sections) keeps Page Up / Page Down, so the shortcuts work there too. */
function keyBelongsToTarget(target, key) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.closest("textarea, select, [contenteditable=true], dialog")) return true;
  // A feed row: Enter opens it, ↑/↓ move to the next row.
  if (target.closest("#feed-body tr") && /^(Enter|ArrowUp|ArrowDown)$/.test(key)) return true;
  const input = target.closest("input");
  if (input && !["checkbox", "radio", "range", "button"].includes(input.type)) return true;
  const scrolls = /^(Arrow|Home|End|Page)/.test(key);
  if (input && input.type === "range") return scrolls && (input.id !== "speed" || key === "ArrowLeft");
  const region = target.closest(".feed-wrap") || target.matches("#strategies, #visualized");
  return Boolean(region && /^Page/.test(key));
}

/** The action of a key press on the page, or null when the key belongs to the focused
 * control (text fields, a slider's arrows, Enter on a button, a region's Page keys) or
 * has no action. Space plays and pauses wherever focus is outside a text field: after a click
 * on a button, a checkbox or a slider it does not repeat that control. */
export function keyAction(event, actions) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (keyBelongsToTarget(event.target, event.key)) return null;
  const byKey = {
    " ": actions.play, ArrowRight: actions.step, ArrowUp: actions.faster, ArrowDown: actions.slower,
    End: actions.finish, Home: actions.restart, s: actions.shuffle, S: actions.shuffle,
    i: actions.info, I: actions.info,
  };
  return byKey[event.key] ?? null;
}

export class Controls {
  /** @param {(id: string) => HTMLElement} $ - the page's element lookup */
  constructor($) {
    this.$ = $;
    this.seedText = undefined;  // the seed last written to the box
    $("speed").max = String(SPEEDS.length - 1);
  }

  setText(id, text) {
    putText(this.$(id), text);
  }

  /** @param {{tick: number, n: number, attacks: number, playing: boolean, speed: number,
   *  seed: number|null, waiting: boolean, scoring: {ms: number|null, strategies: number},
   *  scored: number, wanted: number, running: number}} view - speed is an index into SPEEDS;
   *  scored of wanted scores are computed; waiting: the playhead waits for scores; attacks:
   *  true attacks among the first `tick` connections; running: strategies switched on */
  update({ tick, n, attacks, playing, speed, seed, waiting, scoring, scored, wanted, running }) {
    const { $ } = this;
    this.setText("tick-counter", `${fmt(tick)} / ${fmt(n)}`);
    this.setText("truth-counter", `connections so far: ${fmt(attacks)} attacks, ${fmt(tick - attacks)} normal (truth)`);
    this.setText("play", playing ? "Pause" : tick >= n ? "Play again" : "Play");
    if ($("play").getAttribute("aria-pressed") !== String(playing)) $("play").setAttribute("aria-pressed", String(playing));
    const none = running === 0;
    // Written only when changed: a write, even of the same value, restyles the element.
    const set = (id, key, value) => { if ($(id)[key] !== value) $(id)[key] = value; };
    set("play", "disabled", none);
    set("finish", "disabled", none);
    set("play-reason", "hidden", !none);
    set("step", "disabled", none || playing || tick >= n);
    if ($("speed").value !== String(speed)) $("speed").value = String(speed);
    this.setText("speed-label", speedLabel(SPEEDS[speed]));
    this.setText("order-label", seed === null
      ? "Play order: as built (stream seed 1999)" : `Play order: shuffled with seed ${seed}`);
    // The box shows a new play order's seed, unless the user has typed another one there or is
    // in the box: a seed being typed is never changed by a frame (nor by a shuffle's late reply).
    const seedText = seed === null ? "" : String(seed);
    const box = $("seed");
    if (seedText !== this.seedText && document.activeElement !== box) {
      if (this.seedText === undefined || box.value === this.seedText) box.value = seedText;
      this.seedText = seedText;
    }
    this.scoringStatus(scoring, waiting, scored, wanted, n);
  }

  scoringStatus(scoring, waiting, scored, wanted, n) {
    const status = this.$("scoring-status");
    if (scoring.ms === null) {
      delete status.dataset.ms;
      this.setText("scoring-status", `${waiting ? "Waiting for scores — " : ""}scoring ahead of the playhead: ` +
        `${fmt(scored)} of ${fmt(wanted)} scores computed`);
      return;
    }
    const ms = scoring.ms.toFixed(1);
    if (status.dataset.ms === ms) return;
    status.dataset.ms = ms;
    status.dataset.strategies = String(scoring.strategies);
    status.textContent = `Scored all ${fmt(n)} connections with ${scoring.strategies} ` +
      `strateg${scoring.strategies === 1 ? "y" : "ies"} in ${(scoring.ms / 1000).toFixed(2)} s, by Python in this tab.`;
  }
}
