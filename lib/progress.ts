/**
 * One progress event for every long call, API and CLI alike:
 * `{ stage, done, total, unit, etaSeconds }`. A ProgressTracker turns the (done, total) a native
 * job reports into these events, with an ETA smoothed so that it does not jump when the rate does.
 */

export interface ProgressEvent {
  /** What is running: the function or command, or a step of it (e.g. 'construct: grid'). */
  stage: string;
  /** Work done so far, in `unit`s. */
  done: number;
  /** Work in all, in `unit`s (with a time budget and no other bound: the budget in seconds). */
  total: number;
  /** What done and total count: 'bytes', 'steps', 'epochs', 'stages', 's', … */
  unit: string;
  /** Seconds to go, or null until there is a rate to go by. */
  etaSeconds: number | null;
}

export type ProgressListener = (event: ProgressEvent) => void;

/** Weight of the newest estimate in the ETA's exponential moving average. */
const ETA_SMOOTHING = 0.15;

export class ProgressTracker {
  private readonly t0: number;
  private eta: number | null = null;
  private lastAt: number;

  constructor(public stage: string, public unit: string, private readonly now: () => number = Date.now) {
    this.t0 = now();
    this.lastAt = this.t0;
  }

  /** Seconds since the tracker started. */
  elapsed(): number {
    return (this.now() - this.t0) / 1000;
  }

  /**
   * The event for `done` of `total`. The raw ETA is elapsed·(total − done)/done (the mean rate so
   * far); the reported one is the previous ETA counted down by the time passed, moved a step
   * towards the raw one, so that a slow or fast stretch changes it gradually.
   */
  event(done: number, total: number): ProgressEvent {
    const now = this.now();
    const elapsed = (now - this.t0) / 1000;
    let eta: number | null = null;
    if (done >= total && total > 0) eta = 0;
    else if (done > 0 && elapsed > 0) {
      const raw = (elapsed * (total - done)) / done;
      const prev = this.eta === null ? raw : Math.max(0, this.eta - (now - this.lastAt) / 1000);
      eta = prev + ETA_SMOOTHING * (raw - prev);
    }
    this.eta = eta;
    this.lastAt = now;
    return { stage: this.stage, done, total, unit: this.unit, etaSeconds: eta };
  }

  /** A (done, total) callback that forwards events to `listener`. */
  forward(listener: ProgressListener | undefined): ((done: number, total: number) => void) | undefined {
    return listener && ((done, total) => listener(this.event(done, total)));
  }
}
