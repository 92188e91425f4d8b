// Age and gender of a detected face, from the two SSR-Net-style models shipped in the same npm
// package as the other face models (fr_age.onnx, fr_gender.onnx). The pipeline runs them on the
// image it already decoded (in the engine's worker, so the caller's thread does no pixel work);
// a failure here loses only the two attribute fields, never a face-match score. Both are
// advisory: no decision uses them.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ort } from './ort.js';
import { log } from '../log.js';
import { modelsDir as packageModelsDir } from '../paths.js';
import { resampleRegion, type Box, type RgbImage } from './image.js';
import { scaledFaceCrop } from './liveness.js';

export const ATTRIBUTE_MODEL_FILES = { age: 'fr_age.onnx', gender: 'fr_gender.onnx' } as const;

const SIZE = 64;
/** The crop is the face box grown 1.4x about its centre, kept inside the image. */
const CROP_SCALE = 1.4;
const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
/** SSR-Net stage outputs, in the order the merge formula reads them. */
const OUTPUTS = [
  'prob_stage_1', 'prob_stage_2', 'prob_stage_3',
  'stage1_delta_k', 'stage2_delta_k', 'stage3_delta_k',
  'index_offset_stage1', 'index_offset_stage2', 'index_offset_stage3',
] as const;

export interface FaceAttributes {
  /** Model-estimated age in years, 2 decimals. */
  age: number;
  /** 'male' | 'female' from the gender model's 0..1 output. */
  gender: 'male' | 'female';
  /** The gender model's raw output (>= 0.5 is read as male). */
  gender_score: number;
}

let loading: Promise<{ age: ort.InferenceSession; gender: ort.InferenceSession }> | null = null;

/** True when both attribute models are installed (models/fetch-models.mjs puts them there). */
export function attributeModelsPresent(dir = packageModelsDir): boolean {
  return Object.values(ATTRIBUTE_MODEL_FILES).every((f) => existsSync(join(dir, f)));
}

function sessions(dir: string): Promise<{ age: ort.InferenceSession; gender: ort.InferenceSession }> {
  if (!loading) {
    const opts: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      // The exported graphs list their weights as inputs; onnxruntime warns about it once per
      // initializer. Errors only.
      logSeverityLevel: 3,
      extra: { session: { intra_op: { allow_spinning: '0' } } },
    };
    loading = Promise.all([
      ort.InferenceSession.create(join(dir, ATTRIBUTE_MODEL_FILES.age), opts),
      ort.InferenceSession.create(join(dir, ATTRIBUTE_MODEL_FILES.gender), opts),
    ]).then(([age, gender]) => ({ age, gender }));
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/** The SSR-Net soft stagewise regression: three stages of 3 bins, each refined by its delta and offsets. */
export function ssrMerge(x: ArrayLike<number>, range: number): number {
  const s = 3;
  // prob_k = x[3(k-1) + i], delta_k = x[9 + (k-1)], offset_k = x[12 + 3(k-1) + i]
  let total = 0;
  let denom = 1;
  for (let k = 0; k < 3; k++) {
    let v = 0;
    for (let i = 0; i < s; i++) v += (i + x[12 + 3 * k + i]!) * x[3 * k + i]!;
    denom *= s * (1 + x[9 + k]!);
    total += v / denom;
  }
  return total * range;
}

/** The model's 64x64 input: the face box grown CROP_SCALE x about its centre, kept inside the image. */
function tensorOf(img: RgbImage, box: Box): Float32Array {
  // Degenerate boxes get one pixel so the scale stays finite.
  const b: Box = [box[0], box[1], Math.max(box[2], box[0] + 1), Math.max(box[3], box[1] + 1)];
  const c = scaledFaceCrop(b, img.width, img.height, CROP_SCALE);
  const rgb = resampleRegion(img, c.x, c.y, c.w, c.h, SIZE, SIZE);
  const n = SIZE * SIZE;
  const t = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < 3; ch++) t[ch * n + i] = (rgb.data[i * 3 + ch]! / 255 - MEAN[ch]!) / STD[ch]!;
  }
  return t;
}

async function run(session: ort.InferenceSession, input: Float32Array): Promise<number[]> {
  const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, SIZE, SIZE]) });
  const flat: number[] = [];
  for (const name of OUTPUTS) for (const v of out[name]!.data as Float32Array) flat.push(v);
  return flat;
}

/**
 * Age and gender for each box, on the pipeline's decoded image (boxes in its pixels). Runs on
 * the calling thread: the engine calls it inside its worker, next to the other models.
 * Throws when the models are missing.
 */
export async function estimateAttributes(img: RgbImage, boxes: Box[], dir = packageModelsDir): Promise<FaceAttributes[]> {
  if (boxes.length === 0) return [];
  const s = await sessions(dir);
  const out: FaceAttributes[] = [];
  for (const box of boxes) {
    const t = tensorOf(img, box);
    const age = ssrMerge(await run(s.age, t), 101);
    const g = ssrMerge(await run(s.gender, t), 1);
    out.push({ age: Math.round(age * 100) / 100, gender: g >= 0.5 ? 'male' : 'female', gender_score: Math.round(g * 1000) / 1000 });
  }
  return out;
}

/**
 * `entities` with `age` and `gender` added (boxes: the same faces on `img`), or unchanged when
 * the attribute models are not installed or cannot run (logged once per cause).
 */
export async function withFaceAttributes<E extends object>(entities: E[], img: RgbImage, boxes: Box[], dir = packageModelsDir): Promise<Array<E & { age?: number; gender?: 'male' | 'female' }>> {
  if (entities.length === 0 || !attributeModelsPresent(dir)) return entities;
  try {
    const attrs = await estimateAttributes(img, boxes, dir);
    return entities.map((e, i) => ({ ...e, age: attrs[i]!.age, gender: attrs[i]!.gender }));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    if (!reported.has(why)) {
      reported.add(why);
      log(`age/gender estimation skipped: ${why}`);
    }
    return entities;
  }
}

const reported = new Set<string>();
