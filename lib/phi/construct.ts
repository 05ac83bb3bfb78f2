/**
 * φ tensors (docs/definitions.md, φ): the counting pass and the constructed model. Every weight of the
 * H = 128 RNN is written from counts of the fitting bytes: Wx (hash of the current byte,
 * ±10, group 0), Wh (shift register, 5), bh (0, or the sign log-odds variant), by
 * (smoothed unigram), Wy = s·(sign-conditional log-ratio with pseudo-count α).
 */
import { Corpus, checkRange } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { JobOptions, runJob } from '../jobs';
import { Model } from '../model';
import { NativePhiCounts, native } from '../native';

/** The construction's hidden size: 16 groups of 8 hash neurons. */
export const PHI_HIDDEN = 128;
/** α ∈ {0.5, 1.0, …, 5.0}. */
export const PHI_ALPHAS: readonly number[] = Array.from({ length: 10 }, (_, i) => (i + 1) / 2);
/** s ∈ {0.05, 0.10, …, 3.0}. */
export const PHI_SCALES: readonly number[] = Array.from({ length: 60 }, (_, i) => (i + 1) / 20);

/** What the counting pass leaves behind (exact integers as float64). */
export type PhiCounts = NativePhiCounts;

export interface PhiBuildOptions {
  /** Pseudo-count α of the log-ratio. */
  alpha: number;
  /** Readout scale s (0 gives Wy = 0). */
  scale: number;
  /** bh = 5·ln(f/(1 − f + 1e-6)) instead of 0. */
  signBias?: boolean;
}

/** One native pass over bytes [begin, end) of the corpus (default: all of it). */
export async function countPhi(corpus: Corpus, range?: [number, number], opts: JobOptions = {}): Promise<PhiCounts> {
  const [begin, end] = checkRange(corpus, range ?? [0, corpus.size]);
  return runJob(opts, (cancel, onProgress) => native().phiCount(corpus.bytes, begin, end, cancel, onProgress));
}

/** The constructed model for the given counts and hyper-parameters (an ordinary Model). */
export function buildPhiModel(counts: PhiCounts, opts: PhiBuildOptions): Model {
  const { alpha, scale } = opts;
  if (!(typeof alpha === 'number' && alpha > 0 && Number.isFinite(alpha))) {
    fail(ErrorCodes.OPTION, `alpha must be a positive number, got ${String(alpha)}`);
  }
  if (!(typeof scale === 'number' && Number.isFinite(scale))) fail(ErrorCodes.OPTION, `scale must be a finite number, got ${String(scale)}`);
  const model = new Model(PHI_HIDDEN);
  native().phiBuild(counts, alpha, scale, opts.signBias === true, model.params);
  model.metadata = {
    construction: 'phi',
    alpha: String(alpha),
    scale: String(scale),
    bh: opts.signBias ? 'sign-log-odds' : 'zero',
    fittingBytes: String(counts.n),
  };
  return model;
}
