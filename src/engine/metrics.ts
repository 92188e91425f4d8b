// Verification metrics for labelled pairs: leave-one-fold-out accuracy, TAR at FAR, EER.

export interface ScoredPair {
  /** Similarity (higher = more alike); pairs with an unusable image get -Infinity. */
  s: number;
  same: boolean;
  fold: number;
}

/** Threshold maximising accuracy on `pairs` (decision: s > t). */
export function bestThreshold(pairs: ScoredPair[]): number {
  const sorted = [...pairs].sort((a, b) => a.s - b.s);
  const nSame = sorted.filter((p) => p.same).length;
  // t below everything: all predicted same -> correct = nSame.
  let correct = nSame;
  let best = correct;
  let bestT = sorted.length ? sorted[0]!.s - 1e-6 : 0;
  for (let i = 0; i < sorted.length; i++) {
    correct += sorted[i]!.same ? -1 : 1;
    const next = sorted[i + 1];
    if (next && next.s === sorted[i]!.s) continue;
    if (correct > best) {
      best = correct;
      const lo = sorted[i]!.s;
      bestT = next ? (Number.isFinite(lo) ? (lo + next.s) / 2 : next.s - 1e-6) : lo + 1e-6;
    }
  }
  return bestT;
}

export function accuracyAt(pairs: ScoredPair[], t: number): number {
  if (pairs.length === 0) return 0;
  let ok = 0;
  for (const p of pairs) if (p.s > t === p.same) ok++;
  return ok / pairs.length;
}

/** Each fold tested with the threshold chosen on the other folds. */
export function leaveOneFoldOut(pairs: ScoredPair[]): { mean: number; std: number; perFold: Record<number, number> } {
  const folds = [...new Set(pairs.map((p) => p.fold))].sort((a, b) => a - b);
  const perFold: Record<number, number> = {};
  if (folds.length < 2) {
    const acc = accuracyAt(pairs, bestThreshold(pairs));
    return { mean: acc, std: 0, perFold: { [folds[0] ?? 0]: acc } };
  }
  for (const f of folds) {
    const t = bestThreshold(pairs.filter((p) => p.fold !== f));
    perFold[f] = accuracyAt(pairs.filter((p) => p.fold === f), t);
  }
  const accs = Object.values(perFold);
  const mean = accs.reduce((a, b) => a + b, 0) / accs.length;
  const std = Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / accs.length);
  return { mean, std, perFold };
}

/** TAR at the threshold where at most `far` of impostor pairs score above it. */
export function tarAtFar(pairs: ScoredPair[], far: number): { tar: number; threshold: number } {
  const imp = pairs.filter((p) => !p.same).map((p) => p.s).sort((a, b) => b - a);
  const gen = pairs.filter((p) => p.same).map((p) => p.s);
  if (imp.length === 0 || gen.length === 0) return { tar: 0, threshold: NaN };
  const allowed = Math.floor(far * imp.length);
  const threshold = imp[Math.min(allowed, imp.length - 1)]!; // accept only s > threshold
  return { tar: gen.filter((s) => s > threshold).length / gen.length, threshold };
}

export function equalErrorRate(pairs: ScoredPair[]): number {
  const imp = pairs.filter((p) => !p.same).map((p) => p.s);
  const gen = pairs.filter((p) => p.same).map((p) => p.s);
  if (imp.length === 0 || gen.length === 0) return 0;
  const ts = [...new Set(pairs.map((p) => p.s).filter(Number.isFinite))].sort((a, b) => a - b);
  let best = 1;
  for (const t of ts) {
    const far = imp.filter((s) => s > t).length / imp.length;
    const frr = gen.filter((s) => s <= t).length / gen.length;
    const e = Math.max(far, frr);
    if (e < best) best = e;
  }
  return best;
}
