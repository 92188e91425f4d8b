// The four ONNX sessions, created once, each at the optimisation level measured fastest on
// this machine (tuning.ts). onnxruntime's threads are set explicitly and never spin: on a
// 2-core machine a spinning pool steals the CPU from JavaScript and sharp.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ort } from './ort.js';
import { FacematchError } from '../errors.js';
import { modelsDir as packageModelsDir } from '../paths.js';
import { tunedSession, type ModelTuning } from './tuning.js';
import { EMBEDDER } from './embedder.js';

export const MODEL_FILES = {
  detect: 'fr_detect.onnx',
  landmark: 'fr_landmark.onnx',
  feature: EMBEDDER.file,
  liveness: 'fr_liveness.onnx',
} as const;

export type ModelName = keyof typeof MODEL_FILES;
export type Sessions = Record<ModelName, ort.InferenceSession>;

/** Each model's fixed input shape (batch 1), used to time it when tuning. */
export const MODEL_DIMS: Record<ModelName, number[]> = {
  detect: [1, 3, 240, 320],
  landmark: [1, 1, 64, 64],
  feature: [1, 3, EMBEDDER.size, EMBEDDER.size],
  liveness: [1, 3, 128, 128],
};

/** The onnxruntime settings each loaded session uses (from tuning.ts). */
export type SessionPlan = Record<ModelName, ModelTuning>;
const plans = new WeakMap<Sessions, SessionPlan>();
export function sessionPlan(s: Sessions): SessionPlan | undefined {
  return plans.get(s);
}

export async function loadSessions(modelsDir: string, threads: number, onProgress?: (done: number, total: number, message: string) => void): Promise<Sessions> {
  const names = Object.keys(MODEL_FILES) as ModelName[];
  const missing = names.filter((n) => !existsSync(join(modelsDir, MODEL_FILES[n])));
  if (missing.length > 0) {
    throw new FacematchError('MODELS_MISSING', `face model files are missing from ${modelsDir} (${missing.map((n) => MODEL_FILES[n]).join(', ')}); run \`node ${join(packageModelsDir, 'fetch-models.mjs')}\` (or npm install in the facematch-mcp folder) to fetch and verify them.`);
  }
  const out: Partial<Sessions> = {};
  const plan: Partial<SessionPlan> = {};
  let done = 0;
  onProgress?.(0, names.length, 'loading face models');
  for (const n of names) {
    const t = await tunedSession(join(modelsDir, MODEL_FILES[n]), MODEL_DIMS[n], threads);
    out[n] = t.session;
    plan[n] = t.tuning;
    done++;
    onProgress?.(done, names.length, `loaded ${MODEL_FILES[n]}`);
  }
  plans.set(out as Sessions, plan as SessionPlan);
  return out as Sessions;
}

/** Accumulates pure inference time. */
export interface ModelClock {
  ms: number;
}

/**
 * Runs a single-input model; returns outputs by name. onnxruntime-node runs inference
 * synchronously inside a setImmediate callback, so two immediates queued around it time
 * exactly the inference, whatever else the event loop is doing.
 */
export async function runModel(session: ort.InferenceSession, input: Float32Array, dims: number[], clock?: ModelClock): Promise<Record<string, Float32Array>> {
  const feeds: Record<string, ort.Tensor> = { [session.inputNames[0]!]: new ort.Tensor('float32', input, dims) };
  let res: ort.InferenceSession.OnnxValueMapType;
  if (clock) {
    let start = 0;
    setImmediate(() => {
      start = performance.now();
    });
    const running = session.run(feeds);
    const ended = new Promise<void>((resolve) => setImmediate(() => {
      clock.ms += performance.now() - start;
      resolve();
    }));
    [res] = await Promise.all([running, ended]);
  } else {
    res = await session.run(feeds);
  }
  const out: Record<string, Float32Array> = {};
  for (const name of session.outputNames) out[name] = res[name]!.data as Float32Array;
  return out;
}
