// Wall time per pipeline stage (laps) and pure inference time (the models' clock).
import { performance } from 'node:perf_hooks';
import type { ModelClock } from './models.js';

export class StageTimer {
  readonly t: Record<string, number> = {};
  /** Pure inference time (see runModel). */
  readonly clock: ModelClock = { ms: 0 };
  private last = performance.now();
  get model(): number {
    return this.clock.ms;
  }
  /** Adds the time since the previous lap to `stage`. */
  lap(stage: string): void {
    const now = performance.now();
    this.t[stage] = (this.t[stage] ?? 0) + (now - this.last);
    this.last = now;
  }
}
