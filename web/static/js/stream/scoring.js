// The stream's scoring pump: keeps every strategy's scores a chunk ahead of the playhead by
// asking the Python worker for `score_stream` chunks, at most IN_FLIGHT at a time. Running
// strategies go first; the others are scored too, so switching one on is instant.
// While chunks are asked for, the page is busy "scoring" (common/busy.js): the offline copy's
// installation waits, so that it does not compete with the stream's first scoring for the cores.
import { setBusy } from "../common/busy.js";

// The first chunk of each strategy is small, so that playing can start soon; the rest come in
// large chunks (at most Python's STREAM_MAX_CHUNK), so that few requests carry the stream.
const FIRST_CHUNK = 500;
const CHUNK = 2000;
const IN_FLIGHT = 2;

export class ScoringPump {
  /**
   * @param {object} python - the PythonClient
   * @param {object} state - the page state: tracks, active, n, seed, generation, ordering
   * @param {{onScores: () => void, onFailure: (track: object, err: Error) => void}} callbacks -
   *   a chunk was stored; a strategy's scoring failed (it is switched off by the page)
   */
  constructor(python, state, { onScores, onFailure }) {
    Object.assign(this, { python, state, onScores, onFailure });
    this.inFlight = 0;
    this.failed = new Set();  // strategies whose scoring failed: not scored again while off
  }

  /** Play positions [0, available) are scored by every running strategy. */
  available() {
    const { active } = this.state;
    return active.length ? Math.min(...active.map((t) => t.scored)) : 0;
  }

  /** Ask for more chunks while there is room; does nothing while a new order is being set. */
  pump() {
    const { state } = this;
    if (state.ordering) return;
    while (this.inFlight < IN_FLIGHT) {
      let todo = state.active.filter((t) => t.requested < state.n);
      if (!todo.length) todo = state.tracks.filter((t) => t.requested < state.n && !this.failed.has(t));
      if (!todo.length) {
        if (this.inFlight === 0) setBusy("scoring", false);
        return;
      }
      this.request(todo.reduce((a, b) => (b.requested < a.requested ? b : a)));
    }
  }

  request(track) {
    const { state } = this;
    const start = track.requested;
    const stop = Math.min(start + (start === 0 ? FIRST_CHUNK : CHUNK), state.n);
    track.requested = stop;
    setBusy("scoring", true);
    this.inFlight++;
    const generation = state.generation;  // replies of an older play order are dropped
    this.python.request("score_stream", { model: track.name, start, stop, seed: state.seed, mix: state.mix })
      .then((reply) => {
        if (generation !== state.generation) return;
        this.failed.delete(track);
        track.storeChunk(reply.start, reply.scores.data);
        this.onScores();
      })
      .catch((err) => {
        if (generation !== state.generation) return;
        track.requested = track.scored;
        if (err.kind === "crash") return;  // the replacement worker scores every strategy again
        this.failed.add(track);
        this.onFailure(track, err);
      })
      .finally(() => { this.inFlight--; this.pump(); });
  }
}
