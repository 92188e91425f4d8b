// Worker side of EnginePool: one FaceEngine with a single onnxruntime thread.
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { FaceEngine } from './engine.js';
import { isFacematchError } from '../errors.js';
import type { WorkerData } from './pool.js';
import { log } from '../log.js';
import { getPriority, setPriority } from 'node:os';
import type { AnalyzeOptions } from './types.js';

const data = workerData as WorkerData;
// On Linux a nice value belongs to one thread: this lowers only this worker (and the
// onnxruntime threads it starts), never the caller's thread.
if (data.niceness > 0) {
  try {
    // Only ever lowered: raising it back needs privileges.
    if (getPriority() < data.niceness) setPriority(data.niceness);
  } catch (err) {
    log(`face engine worker keeps its priority (${err instanceof Error ? err.message : String(err)})`);
  }
}
const engine = new FaceEngine({ threads: 1, parallel: false, pipeline: data.pipeline, modelsDir: data.modelsDir });

parentPort!.on('message', (m: { id: number; op: string; path?: string; user?: Uint8Array; ref?: Uint8Array; image?: Uint8Array; label?: string; options?: object } & AnalyzeOptions) => {
  void (async () => {
    try {
      let value: unknown;
      if (m.op === 'load') {
        await engine.load();
      } else if (m.op === 'embedFile') {
        const t = performance.now();
        try {
          const a = await engine.analyze(await readFile(m.path!), m.path!);
          value = { embedding: a.embedding, entities: a.entities, error: null, ms: performance.now() - t, issues: a.quality.issues.map((i) => i.code) };
        } catch (err) {
          value = { embedding: null, entities: [], error: err instanceof Error ? err.message : String(err), ms: performance.now() - t };
        }
      } else if (m.op === 'analyze') {
        value = await engine.analyzeInline(Buffer.from(m.image!.buffer, m.image!.byteOffset, m.image!.byteLength), m.label ?? 'image', { liveness: m.liveness, rotate: m.rotate, embed: m.embed, attributes: m.attributes });
      } else if (m.op === 'plan') {
        value = await engine.onnxSettings();
      } else if (m.op === 'match') {
        value = await engine.match(Buffer.from(m.user!), Buffer.from(m.ref!), m.options);
      } else {
        throw new Error(`unknown op ${m.op}`);
      }
      parentPort!.postMessage({ id: m.id, ok: true, value });
    } catch (err) {
      // FacematchError crosses the thread boundary as code + message and is rebuilt there.
      const code = isFacematchError(err) ? err.code : undefined;
      parentPort!.postMessage({ id: m.id, ok: false, error: err instanceof Error ? err.message : String(err), code });
    }
  })();
});
