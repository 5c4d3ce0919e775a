// The stream's playback panel: speeds, the keyboard map, and the panel's text (counters, play
// button, speed and order labels, scoring status). Text is written only when it changed, so an
// unchanged frame costs no layout.
import { MAX, PER_FRAME } from "../common/player.js";

/** Speed levels of the slider: milliseconds per tick, then one tick per frame, then "max". */
export const SPEEDS = [1280, 640, 320, 160, 80, 40, 20, PER_FRAME, MAX];
export const MAX_TICKS_PER_FRAME = 20;

const fmt = (v) => v.toLocaleString("en");

function speedLabel(speed) {
  if (speed === MAX) return `max (${MAX_TICKS_PER_FRAME} per frame)`;
  if (speed === PER_FRAME) return "1 per frame";
  return `${speed} ms per connection`;
}

/** The action of a key press on the page, or null when the key belongs to the focused
 * control (inputs, buttons' Space / Enter, the feed's scrolling keys) or has no action. */
export function keyAction(event, actions) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  const target = event.target;
  if (target instanceof HTMLElement) {
    if (target.closest("input, select, textarea")) return null;
    if (target.closest("button, a") && (event.key === " " || event.key === "Enter")) return null;
    if (target.closest(".feed-wrap") && /^(Arrow|Home|End| )/.test(event.key)) return null;
  }
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
    $("speed").max = String(SPEEDS.length - 1);
  }

  setText(id, text) {
    const el = this.$(id);
    if (el.textContent !== text) el.textContent = text;
  }

  /** @param {{tick: number, n: number, attacks: number, playing: boolean, speed: number,
   *  seed: number|null, waiting: boolean, scoring: {ms: number|null, strategies: number},
   *  scored: number, wanted: number}} view - speed is an index into SPEEDS; scored of wanted
   *  scores are computed; waiting: the playhead waits for scores */
  update({ tick, n, attacks, playing, speed, seed, waiting, scoring, scored, wanted }) {
    const { $ } = this;
    this.setText("tick-counter", `${fmt(tick)} / ${fmt(n)}`);
    this.setText("truth-counter", `connections so far: ${fmt(attacks)} attacks, ${fmt(tick - attacks)} normal (truth)`);
    this.setText("play", playing ? "Pause" : tick >= n ? "Play again" : "Play");
    if ($("play").getAttribute("aria-pressed") !== String(playing)) $("play").setAttribute("aria-pressed", String(playing));
    $("step").disabled = playing || tick >= n;
    if ($("speed").value !== String(speed)) $("speed").value = String(speed);
    this.setText("speed-label", speedLabel(SPEEDS[speed]));
    this.setText("order-label", seed === null
      ? "Play order: as built (stream seed 1999)" : `Play order: shuffled with seed ${seed}`);
    const seedText = seed === null ? "" : String(seed);
    if (document.activeElement !== $("seed") && $("seed").value !== seedText) $("seed").value = seedText;
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
