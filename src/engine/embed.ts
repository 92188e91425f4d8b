// Embedding of an aligned face (size, normalisation, channel order and length from
// embedder.ts), channel-first, L2-normalised. Optionally the horizontal mirror is embedded
// too and the two summed.
import type { InferenceSession } from 'onnxruntime-node';
import type { RgbImage } from './image.js';
import { runModel, type ModelClock } from './models.js';
import { ALIGN_SIZE } from './align.js';
import { EMBEDDER } from './embedder.js';

export const EMBED_DIM = EMBEDDER.dim;

/** Aligned RGB face -> CHW tensor in the embedder's channel order; `mirror` flips left-right. */
export function embedderTensor(face: RgbImage, mirror = false, order: 'bgr' | 'rgb' = EMBEDDER.channels): Float32Array {
  const { mean, std } = EMBEDDER;
  const n = ALIGN_SIZE * ALIGN_SIZE;
  const t = new Float32Array(3 * n);
  const d = face.data;
  const [c0, c2] = order === 'bgr' ? [2, 0] : [0, 2];
  for (let y = 0; y < ALIGN_SIZE; y++) {
    for (let x = 0; x < ALIGN_SIZE; x++) {
      const sx = mirror ? ALIGN_SIZE - 1 - x : x;
      const s = (y * ALIGN_SIZE + sx) * 3;
      const i = y * ALIGN_SIZE + x;
      t[i] = (d[s + c0]! - mean) / std;
      t[n + i] = (d[s + 1]! - mean) / std;
      t[2 * n + i] = (d[s + c2]! - mean) / std;
    }
  }
  return t;
}

function l2normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const k = s > 0 ? 1 / Math.sqrt(s) : 0;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * k;
  return out;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/**
 * Returns the unit embedding and the raw output norm of the unflipped face: the norm is a
 * face-quality signal (upright, well-aligned faces ~3-4.5; sideways or misaligned ~1.6-2.6),
 * used to pick the orientation when rotate_image is on.
 */
export async function embedFace(session: InferenceSession, face: RgbImage, opts: { flip?: boolean; order?: 'bgr' | 'rgb'; clock?: ModelClock } = {}): Promise<{ embedding: Float32Array; norm: number }> {
  const dims = [1, 3, ALIGN_SIZE, ALIGN_SIZE];
  const name = session.outputNames[0]!;
  const a = (await runModel(session, embedderTensor(face, false, opts.order), dims, opts.clock))[name]!;
  if (!opts.flip) return { embedding: l2normalize(a), norm: norm(a) };
  const b = (await runModel(session, embedderTensor(face, true, opts.order), dims, opts.clock))[name]!;
  const na = l2normalize(a);
  const nb = l2normalize(b);
  const sum = new Float32Array(EMBED_DIM);
  for (let i = 0; i < EMBED_DIM; i++) sum[i] = na[i]! + nb[i]!;
  return { embedding: l2normalize(sum), norm: norm(a) };
}
