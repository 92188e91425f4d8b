// A pool of worker threads, each with its own single-threaded FaceEngine: on 2 cores two
// single-thread workers beat one two-thread engine (JS pre-processing is single-threaded).
// A worker that dies (crash, terminate, out of memory) rejects its pending calls with a
// plain Error and is never used again, so callers fail fast instead of waiting forever.
// Before any worker starts: only the main thread can set the runtime's environment.
import './no-telemetry.js';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FaceAnalysis, PipelineConfig } from './pipeline.js';
import type { SessionPlan } from './models.js';
import { FacematchError, type ErrorCode } from '../errors.js';
import type { AnalyzeOptions, FaceEntity, FaceMatchReport, MatchOptions } from './types.js';

export interface PoolEmbedResult {
  embedding: Float32Array | null;
  entities: FaceEntity[];
  error: string | null;
  ms: number;
  /** Quality issue codes of the image (see quality.ts). */
  issues?: string[];
}

/** What each worker starts with (read by pool-worker.ts). */
export interface WorkerData {
  pipeline: Partial<PipelineConfig>;
  modelsDir?: string;
  /** The worker thread lowers its own scheduling priority to this nice value (Linux: per thread). */
  niceness: number;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

interface Slot {
  worker: Worker;
  busy: number;
  /** Calls sent to this worker and not yet answered. */
  pending: Map<number, Pending>;
  /** Set once the worker has exited or failed; the slot is then skipped. */
  dead: Error | null;
  /** Resolves when the worker thread has exited. */
  exited: Promise<void>;
}

/** How long close() lets in-flight calls finish before terminating anyway. */
const CLOSE_DRAIN_MS = 30_000;

export class EnginePool {
  private slots: Slot[] = [];
  private nextId = 1;
  private closing = false;

  private readonly unrefWhenIdle: boolean;

  constructor(size = availableParallelism(), pipeline?: Partial<PipelineConfig>, opts: { unrefWhenIdle?: boolean; modelsDir?: string; niceness?: number } = {}) {
    this.unrefWhenIdle = opts.unrefWhenIdle ?? false;
    for (let i = 0; i < Math.max(1, size); i++) this.slots.push(this.spawn({ pipeline: pipeline ?? {}, modelsDir: opts.modelsDir, niceness: opts.niceness ?? 0 }));
  }

  private spawn(workerData: WorkerData): Slot {
    const worker = new Worker(new URL('./pool-worker.js', import.meta.url), { workerData });
    let onExit!: () => void;
    const slot: Slot = { worker, busy: 0, pending: new Map(), dead: null, exited: new Promise<void>((r) => (onExit = r)) };
    const fail = (err: Error): void => {
      slot.dead ??= err;
      for (const p of slot.pending.values()) p.reject(slot.dead);
      slot.pending.clear();
      slot.busy = 0;
    };
    worker.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string; code?: ErrorCode }) => {
      const p = slot.pending.get(m.id);
      if (!p) return;
      slot.pending.delete(m.id);
      slot.busy--;
      // An idle worker must not keep the process alive (CLI exits when done).
      if (this.unrefWhenIdle && slot.busy === 0) worker.unref();
      if (m.ok) p.resolve(m.value);
      else p.reject(m.code ? new FacematchError(m.code, m.error ?? 'image error') : new Error(m.error));
    });
    worker.on('messageerror', (err) => fail(new Error(`face engine worker could not read a message: ${err.message}`)));
    worker.on('error', (err) => fail(new Error(`face engine worker failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => {
      fail(new Error(`face engine worker stopped (exit code ${code})`));
      onExit();
    });
    if (this.unrefWhenIdle) worker.unref();
    return slot;
  }

  get size(): number {
    return this.slots.length;
  }

  /** False once every worker has died or the pool was closed. */
  get alive(): boolean {
    return !this.closing && this.slots.some((s) => !s.dead);
  }

  private call<T>(msg: Record<string, unknown>): Promise<T> {
    const live = this.slots.filter((s) => !s.dead);
    if (this.closing || live.length === 0) {
      const why = this.closing ? 'the pool is closed' : (this.slots[0]?.dead?.message ?? 'no workers');
      return Promise.reject(new Error(`face engine worker unavailable: ${why}`));
    }
    return this.callOn(live.reduce((a, b) => (b.busy < a.busy ? b : a)), msg);
  }

  private callOn<T>(slot: Slot, msg: Record<string, unknown>): Promise<T> {
    if (slot.dead || this.closing) return Promise.reject(new Error(`face engine worker unavailable: ${this.closing ? 'the pool is closed' : slot.dead!.message}`));
    const id = this.nextId++;
    slot.busy++;
    if (this.unrefWhenIdle) slot.worker.ref();
    return new Promise<T>((resolve, reject) => {
      slot.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      try {
        slot.worker.postMessage({ id, ...msg });
      } catch (err) {
        slot.pending.delete(id);
        slot.busy--;
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /**
   * Loads the models in every worker: the first alone (on a new machine it times the
   * onnxruntime levels and caches them, and must not compete with the others while it
   * measures), then the rest together (they read the cache).
   */
  async load(): Promise<void> {
    const live = this.slots.filter((s) => !s.dead);
    if (live.length === 0) return this.call({ op: 'load' });
    await this.callOn(live[0]!, { op: 'load' });
    await Promise.all(live.slice(1).map((s) => this.callOn(s, { op: 'load' })));
  }

  /** Embeds an image file (read in the worker); a bad image is reported, not thrown. */
  embedFile(path: string): Promise<PoolEmbedResult> {
    return this.call<PoolEmbedResult>({ op: 'embedFile', path });
  }

  /** Runs the pipeline on one image in a worker; FacematchErrors are rethrown as such. */
  analyze(image: Buffer, label: string, opts: AnalyzeOptions = {}): Promise<FaceAnalysis> {
    return this.call<FaceAnalysis>({ op: 'analyze', image, label, ...opts });
  }

  /** The onnxruntime settings the first worker's sessions use. */
  plan(): Promise<SessionPlan> {
    return this.call<SessionPlan>({ op: 'plan' });
  }

  match(user: Buffer, ref: Buffer, options: MatchOptions = {}): Promise<FaceMatchReport> {
    return this.call<FaceMatchReport>({ op: 'match', user, ref, options });
  }

  /**
   * Refuses new calls, lets in-flight ones finish, then stops the workers. Terminating a
   * worker in the middle of native work (sharp, onnxruntime) can abort the whole process,
   * so in-flight calls are drained first (bounded by CLOSE_DRAIN_MS).
   */
  async close(): Promise<void> {
    this.closing = true;
    const slots = this.slots;
    const inFlight = slots.flatMap((s) => [...s.pending.values()]);
    if (inFlight.length > 0) {
      // Keep the process alive while draining, even if the workers were unref'd.
      for (const s of slots) if (!s.dead) s.worker.ref();
      const settled = Promise.all(slots.map((s) => drained(s)));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([settled, new Promise<void>((r) => (timer = setTimeout(r, CLOSE_DRAIN_MS)))]);
      clearTimeout(timer);
    }
    await Promise.all(slots.map(async (s) => {
      if (!s.dead) await s.worker.terminate();
      await s.exited;
    }));
  }
}

/** Resolves once the slot has no pending calls (or is dead). */
function drained(slot: Slot): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if (slot.dead || slot.pending.size === 0) resolve();
      else setTimeout(check, 5);
    };
    check();
  });
}
