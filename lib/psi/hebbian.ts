/**
 * Hebbian estimates (docs/definitions.md, ψ): the lagged state covariance C against Wh, the
 * byte-conditioned state means Cx against Wx and Cy against Wy. Pearson r over all entries
 * and over |w| ≥ 3; sign accuracy over |w| ≥ 0.5 and ≥ 3. An empty set is reported as
 * empty (n = 0, value null), never as 0.
 */
import { Corpus } from '../corpus';
import { JobOptions, runJob } from '../jobs';
import { Model, VOCAB } from '../model';
import { native } from '../native';
import { checkIsa } from '../validate';
import { StateRange, nativeRows } from './rows';

export interface Subset {
  threshold: number;
  /** Entries with |w| ≥ threshold. */
  n: number;
  value: number | null;
}

export interface WeightComparison {
  /** Entries compared (for Cx and Cy: those whose byte occurs among the states). */
  entries: number;
  r: number | null;
  rStrong: Subset;
  signAccuracy: Subset[];
}

export interface HebbianReport {
  states: [number, number];
  Wh: WeightComparison;
  Wx: WeightComparison;
  Wy: WeightComparison;
}

export const STRONG_WEIGHT = 3;
export const SIGN_THRESHOLDS: readonly number[] = [0.5, 3];

export interface HebbianOptions extends JobOptions {
  isa?: string;
}

/** The estimates themselves: C (H×H), Cx (H×256), Cy (256×H) and the byte counts behind Cx, Cy. */
export async function hebbianMatrices(model: Model, corpus: Corpus, rows: StateRange, opts: HebbianOptions = {}) {
  const isa = checkIsa(opts.isa);
  const n = nativeRows(corpus, rows, 0, 'hebbian');
  return runJob(opts, (cancel, onProgress) => native().hebbian(corpus.bytes, model.hidden, n, isa, cancel, onProgress));
}

export async function hebbianEstimates(model: Model, corpus: Corpus, rows: StateRange, opts: HebbianOptions = {}): Promise<HebbianReport> {
  const H = model.hidden;
  const r = await hebbianMatrices(model, corpus, rows, opts);
  const all = (): boolean => true;
  return {
    states: [rows.begin, rows.end],
    Wh: compareWeights(r.C, model.Wh, all),
    // Wx[j][x]: only bytes that occur among the states have a mean.
    Wx: compareWeights(r.Cx, model.Wx, (i) => r.countX[i % VOCAB] > 0),
    // Wy[o][j]: only bytes that occur as a next byte.
    Wy: compareWeights(r.Cy, model.Wy, (i) => r.countY[Math.floor(i / H)] > 0),
  };
}

/** Pearson r and sign agreement of an estimate against weights, over entries where `use(i)`. */
export function compareWeights(est: ArrayLike<number>, w: ArrayLike<number>, use: (i: number) => boolean): WeightComparison {
  const idx: number[] = [];
  for (let i = 0; i < w.length; i++) if (use(i)) idx.push(i);
  const strong = idx.filter((i) => Math.abs(w[i]) >= STRONG_WEIGHT);
  return {
    entries: idx.length,
    r: pearson(est, w, idx),
    rStrong: { threshold: STRONG_WEIGHT, n: strong.length, value: pearson(est, w, strong) },
    signAccuracy: SIGN_THRESHOLDS.map((threshold) => {
      const set = idx.filter((i) => Math.abs(w[i]) >= threshold);
      const agree = set.filter((i) => est[i] * w[i] > 0).length;
      return { threshold, n: set.length, value: set.length ? agree / set.length : null };
    }),
  };
}

/** Pearson correlation over the listed entries; null when fewer than 2 or either side is constant. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>, idx: number[]): number | null {
  if (idx.length < 2) return null;
  let ma = 0, mb = 0;
  for (const i of idx) { ma += a[i]; mb += b[i]; }
  ma /= idx.length; mb /= idx.length;
  let sab = 0, saa = 0, sbb = 0;
  for (const i of idx) {
    const da = a[i] - ma, db = b[i] - mb;
    sab += da * db; saa += da * da; sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}
