// The exact scan of a face index: every stored unit embedding dotted with the query. Two
// implementations, measured side by side by `bench --search-only`: a plain JS loop (scanJs) and
// one onnxruntime MatMul over the whole index (OrtScanner), which runs off the JS thread with
// SIMD and was about twice as fast at 100k faces. The face store uses the onnxruntime one.
import { EMBED_DIM } from '../engine/embed.js';

export interface Hit {
  row: number;
  cosine: number;
}

/** Sum of a[k] * g[off + k], unrolled by 4 (a measurable gain in V8 over the plain loop). */
export function dotAt(a: Float32Array, g: Float32Array, off: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let k = 0; k < EMBED_DIM; k += 4) {
    s0 += a[k]! * g[off + k]!;
    s1 += a[k + 1]! * g[off + k + 1]!;
    s2 += a[k + 2]! * g[off + k + 2]!;
    s3 += a[k + 3]! * g[off + k + 3]!;
  }
  return s0 + s1 + s2 + s3;
}

/** Rows whose score is >= floor, best `limit` of them, best first. */
export function topHits(score: (row: number) => number, n: number, floor: number, limit: number): Hit[] {
  const top: Hit[] = [];
  let bar = floor;
  for (let r = 0; r < n; r++) {
    const s = score(r);
    if (s < bar) continue;
    top.push({ row: r, cosine: s });
    if (top.length > limit * 2) {
      top.sort((a, b) => b.cosine - a.cosine);
      top.length = limit;
      bar = Math.max(floor, top[limit - 1]!.cosine);
    }
  }
  top.sort((a, b) => b.cosine - a.cosine);
  if (top.length > limit) top.length = limit;
  return top;
}

/** The JS scan: the best `limit` rows of `vecs[0..n)` with dot >= floor. */
export function scanJs(vecs: Float32Array, n: number, query: Float32Array, floor: number, limit: number): Hit[] {
  return topHits((r) => dotAt(query, vecs, r * EMBED_DIM), n, floor, limit);
}

// A one-node ONNX graph, s[n,1] = MatMul(g[n,512], q[512,1]), written as protobuf by hand so no
// model file ships for it. Field numbers are ONNX's (ModelProto, GraphProto, NodeProto, ...).
function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
const num = (field: number, value: number): number[] => [...varint(field << 3), ...varint(value)];
const bytes = (field: number, payload: number[]): number[] => [...varint((field << 3) | 2), ...varint(payload.length), ...payload];
const text = (s: string): number[] => [...Buffer.from(s, 'utf8')];
const dim = (d: number | string): number[] => bytes(1, typeof d === 'number' ? num(1, d) : bytes(2, text(d)));
const floatTensor = (name: string, dims: Array<number | string>): number[] => [
  ...bytes(1, text(name)),
  ...bytes(2, bytes(1, [...num(1, 1), ...bytes(2, dims.flatMap(dim))])),
];

export function matmulModel(): Uint8Array {
  const node = [...bytes(1, text('g')), ...bytes(1, text('q')), ...bytes(2, text('s')), ...bytes(4, text('MatMul'))];
  const graph = [
    ...bytes(1, node),
    ...bytes(2, text('face_scan')),
    ...bytes(11, floatTensor('g', ['n', EMBED_DIM])),
    ...bytes(11, floatTensor('q', [EMBED_DIM, 1])),
    ...bytes(12, floatTensor('s', ['n', 1])),
  ];
  return Uint8Array.from([...num(1, 7), ...bytes(8, [...bytes(1, []), ...num(2, 13)]), ...bytes(7, graph)]);
}

type OrtModule = typeof import('onnxruntime-node');
type OrtSession = Awaited<ReturnType<OrtModule['InferenceSession']['create']>>;

/** The onnxruntime scan; the runtime is loaded on first use (accounts-only commands never pay it). */
export class OrtScanner {
  private ready: Promise<{ ort: OrtModule; session: OrtSession }> | null = null;

  private load(): Promise<{ ort: OrtModule; session: OrtSession }> {
    this.ready ??= (async () => {
      const ort = await import('onnxruntime-node');
      // One thread: the face engine's workers use the other cores.
      const session = await ort.InferenceSession.create(matmulModel(), { intraOpNumThreads: 1, interOpNumThreads: 1 });
      return { ort, session };
    })();
    this.ready.catch(() => {
      this.ready = null;
    });
    return this.ready;
  }

  async scan(vecs: Float32Array, n: number, query: Float32Array, floor: number, limit: number): Promise<Hit[]> {
    if (n === 0) return [];
    const { ort, session } = await this.load();
    const out = await session.run({
      g: new ort.Tensor('float32', vecs.subarray(0, n * EMBED_DIM), [n, EMBED_DIM]),
      q: new ort.Tensor('float32', query, [EMBED_DIM, 1]),
    });
    const s = out.s!.data as Float32Array;
    return topHits((r) => s[r]!, n, floor, limit);
  }
}
