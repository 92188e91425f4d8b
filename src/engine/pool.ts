// A pool of worker threads, each with its own single-threaded FaceEngine: on 2 cores two
// single-thread workers beat one two-thread engine (JS pre-processing is single-threaded).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FaceAnalysis, PipelineConfig } from './pipeline.js';
import { FacematchError, type ErrorCode } from '../errors.js';
import type { FaceEntity, FaceMatchReport, MatchOptions } from './types.js';

export interface PoolEmbedResult {
  embedding: Float32Array | null;
  entities: FaceEntity[];
  error: string | null;
  ms: number;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

interface Slot {
  worker: Worker;
  busy: number;
}

export class EnginePool {
  private slots: Slot[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 1;

  private readonly unrefWhenIdle: boolean;

  constructor(size = availableParallelism(), pipeline?: Partial<PipelineConfig>, opts: { unrefWhenIdle?: boolean } = {}) {
    this.unrefWhenIdle = opts.unrefWhenIdle ?? false;
    for (let i = 0; i < Math.max(1, size); i++) {
      const worker = new Worker(new URL('./pool-worker.js', import.meta.url), { workerData: { pipeline: pipeline ?? {} } });
      worker.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string; code?: ErrorCode }) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        slot.busy--;
        // An idle worker must not keep the process alive (CLI exits when done).
        if (this.unrefWhenIdle && slot.busy === 0) worker.unref();
        if (m.ok) p.resolve(m.value);
        else p.reject(m.code ? new FacematchError(m.code, m.error ?? 'image error') : new Error(m.error));
      });
      worker.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      if (this.unrefWhenIdle) worker.unref();
      const slot: Slot = { worker, busy: 0 };
      this.slots.push(slot);
    }
  }

  get size(): number {
    return this.slots.length;
  }

  private call<T>(msg: Record<string, unknown>): Promise<T> {
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    slot.busy++;
    if (this.unrefWhenIdle) slot.worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      slot.worker.postMessage({ id, ...msg });
    });
  }

  /** Loads the models in every worker. */
  async load(): Promise<void> {
    await Promise.all(this.slots.map(() => this.call({ op: 'load' })));
  }

  /** Embeds an image file (read in the worker); a bad image is reported, not thrown. */
  embedFile(path: string): Promise<PoolEmbedResult> {
    return this.call<PoolEmbedResult>({ op: 'embedFile', path });
  }

  /** Runs the pipeline on one image in a worker; FacematchErrors are rethrown as such. */
  analyze(image: Buffer, label: string, opts: { liveness?: boolean; rotate?: boolean } = {}): Promise<FaceAnalysis> {
    return this.call<FaceAnalysis>({ op: 'analyze', image, label, ...opts });
  }

  match(user: Buffer, ref: Buffer, options: MatchOptions = {}): Promise<FaceMatchReport> {
    return this.call<FaceMatchReport>({ op: 'match', user, ref, options });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots = [];
  }
}
