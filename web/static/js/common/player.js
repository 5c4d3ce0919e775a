// The one animation clock of the pages that play something over time (the network stream, the
// ECG lab's training replay). A Player owns the requestAnimationFrame loop, play / pause / step
// and the speed, and tells its page how many ticks to advance; the page decides what a tick is.
// Frames run only while playing or when something asked for a redraw, and the page's render is
// called only on frames where something changed. No DOM here: the frame scheduler is injected
// (requestAnimationFrame in a page, a fake in the unit tests).

/** Speeds: a number is milliseconds per tick; "frame" is one tick per frame; "max" is
 * `maxTicksPerFrame` ticks every frame. */
export const PER_FRAME = "frame";
export const MAX = "max";

const browserScheduler = () => ({
  request: (callback) => requestAnimationFrame(callback),
  cancel: (id) => cancelAnimationFrame(id),
});

export class Player {
  /**
   * @param {object} options
   * @param {(ticks: number) => number} options.onTicks - advance up to `ticks` ticks (0 on a
   *   frame that only redraws) and return how many were taken; called once per frame.
   * @param {() => void} options.onRender - draw; called after onTicks when something changed.
   * @param {(idle: boolean) => void} [options.onIdle] - told when the loop stops (true: no
   *   frame is scheduled until the next play, step or invalidate) and when it starts again.
   * @param {number|string} [options.speed] - ms per tick, PER_FRAME or MAX.
   * @param {number} [options.maxTicksPerFrame] - cap on the ticks of one frame (and MAX's rate).
   * @param {{request: Function, cancel: Function}} [options.scheduler] - frame scheduler.
   */
  constructor({ onTicks, onRender, onIdle = () => {}, speed = PER_FRAME, maxTicksPerFrame = 1,
                scheduler = browserScheduler() }) {
    Object.assign(this, { onTicks, onRender, onIdle, speed, maxTicksPerFrame, scheduler });
    this.playing = false;
    this.queued = 0;        // ticks asked for by step(), taken as soon as the page can
    this.accumulated = 0;   // ms of play time not yet turned into ticks
    this.last = null;       // timestamp of the previous playing frame
    this.dirty = true;      // a redraw is due
    this.frameId = null;
    this.idle = null;
  }

  /** Start playing; the first tick comes at once. */
  play() {
    this.playing = true;
    this.queued = 0;
    this.last = null;
    this.accumulated = typeof this.speed === "number" ? this.speed : 0;
    this.invalidate();
  }

  /** Stop playing and forget steps not yet taken. */
  pause() {
    this.playing = false;
    this.queued = 0;
    this.invalidate();
  }

  toggle() {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Pause and advance `k` more ticks; kept until the page can take them (see onTicks). */
  step(k = 1) {
    this.playing = false;
    this.queued += k;
    this.invalidate();
  }

  setSpeed(speed) {
    this.speed = speed;
    this.invalidate();
  }

  /** Something the page draws changed: render on the next frame. */
  invalidate() {
    this.dirty = true;
    this.schedule();
  }

  /** Stop the loop for good (the page is going away). */
  dispose() {
    this.playing = false;
    if (this.frameId !== null) this.scheduler.cancel(this.frameId);
    this.frameId = null;
  }

  /** Ticks due after `dt` ms of play at the current speed, at most maxTicksPerFrame; time
   * beyond the cap is dropped rather than caught up later. */
  due(dt) {
    if (this.speed === MAX) return this.maxTicksPerFrame;
    if (this.speed === PER_FRAME) return 1;
    this.accumulated += dt;
    const k = Math.floor(this.accumulated / this.speed);
    this.accumulated -= k * this.speed;
    return Math.min(k, this.maxTicksPerFrame);
  }

  schedule() {
    if (this.frameId !== null) return;
    this.frameId = this.scheduler.request((now) => this.frame(now));
    this.setIdle(false);
  }

  setIdle(idle) {
    if (idle === this.idle) return;
    this.idle = idle;
    this.onIdle(idle);
  }

  frame(now) {
    this.frameId = null;
    let ticks = this.queued;
    if (this.playing) {
      ticks += this.due(this.last === null ? 0 : now - this.last);
      this.last = now;
    } else {
      this.last = null;
    }
    const taken = this.onTicks(ticks);
    if (this.queued) this.queued = Math.max(0, this.queued - taken);
    if (taken > 0) this.dirty = true;
    if (this.dirty) {
      this.dirty = false;
      this.onRender();  // may invalidate() again, e.g. to draw in turns over several frames
    }
    if (this.playing || this.dirty) this.schedule();
    else if (this.frameId === null) this.setIdle(true);
  }
}
