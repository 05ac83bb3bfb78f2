/**
 * Counterfactual attribution (the study's): the byte at offset d from the predicted byte
 * x_{t+1} is replaced by (x + 128) mod 256 and the steps after it rerun natively from the stored
 * state; α(t, d) = change in −log2 p_t(x_{t+1}), the bits the original byte saved. null where
 * the byte precedes the trajectory.
 */
import { Corpus } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { checkModelCorpus } from '../evaluate';
import { JobOptions, runJob } from '../jobs';
import { Model } from '../model';
import { native } from '../native';
import { nativeRows } from '../psi/rows';
import { Trajectory } from '../trajectory';
import { checkIsa, checkOptions, checkThreads } from '../validate';
import { checkMaxOffset } from './pmi';

export const STUDY_POSITIONS: readonly number[] = [42, 80, 100, 150, 200, 300, 400, 500];
export const COUNTERFACTUAL_OFFSETS = 20;

export interface CounterfactualOptions extends JobOptions {
  /** d = 1 … maxOffset (default 20). */
  maxOffset?: number;
  threads?: number;
  isa?: string;
}

export interface CounterfactualReport {
  positions: number[];
  maxOffset: number;
  /** alpha[i][d − 1] for positions[i]. */
  alpha: Array<Array<number | null>>;
  /** −log2 p_t(x_{t+1}) per position. */
  bits: number[];
}

export async function counterfactualAttribution(model: Model, corpus: Corpus, trajectory: Trajectory, positions: number[],
  options?: CounterfactualOptions): Promise<CounterfactualReport> {
  checkModelCorpus(model, corpus);
  const opts = checkOptions('counterfactualAttribution', options);
  const maxOffset = checkMaxOffset(opts.maxOffset, COUNTERFACTUAL_OFFSETS);
  const threads = checkThreads(opts.threads);
  const isa = checkIsa(opts.isa);
  if (!Array.isArray(positions) || positions.length === 0 || positions.some((p) => !Number.isSafeInteger(p))) {
    fail(ErrorCodes.OPTION, 'positions must be a non-empty array of integers');
  }
  const rows = nativeRows(corpus, { trajectory, begin: trajectory.begin, end: trajectory.end }, 0, 'counterfactual');
  const r = await runJob(opts, (cancel, onProgress) => native().counterfactual(model.params, model.hidden, corpus.bytes, rows,
    Float64Array.from(positions), { isa, threads, maxOffset }, cancel, onProgress));
  return {
    positions: [...positions], maxOffset,
    alpha: positions.map((_, i) => Array.from(r.alpha.subarray(i * maxOffset, (i + 1) * maxOffset), (v) => (Number.isNaN(v) ? null : v))),
    bits: Array.from(r.bits),
  };
}
