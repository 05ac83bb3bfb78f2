/**
 * Factor map (docs/definitions.md, ψ): for every neuron and lag pair, the cell means of h_j
 * given the two bytes, R², the best pair per neuron, and the best single lag for contrast.
 */
import { Corpus } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { JobOptions, runJob } from '../jobs';
import { native } from '../native';
import { checkThreads } from '../validate';
import { FitScoreRanges, StateRange, argmax, fitScoreRows } from './rows';

/** The study's lags, in its order (ties between pairs go to the earlier one). */
export const STUDY_LAGS: readonly number[] = [1, 8, 20, 3, 27, 2, 12, 7];
/** Scale mode: every lag 0 … 20. */
export const SCALE_LAGS: readonly number[] = Array.from({ length: 21 }, (_, i) => i);
export const R2_THRESHOLD = 0.8;

export interface FactorMapOptions extends JobOptions {
  lags?: readonly number[];
  threads?: number;
}

export interface NeuronFactor {
  neuron: number;
  /** Best lag pair, ascending. */
  pair: [number, number];
  r2: number;
  /** Best single lag and its R². */
  single: { lag: number; r2: number };
}

export interface PairRow {
  pair: [number, number];
  /** Neurons for which this pair is best. */
  neurons: number;
  /** Mean over those neurons of their best R² (null when none). */
  meanBestR2: number | null;
  /** Mean over all neurons of this pair's R². */
  meanR2: number;
  /** Distinct byte pairs among the fit positions. */
  cells: number;
  /** Share of score positions whose byte pair never occurs among the fit positions. */
  unseenShare: number;
}

export interface FactorMapReport extends FitScoreRanges {
  lags: number[];
  meanR2: number;
  /** Neurons whose best R² is ≥ threshold. */
  countAbove: number;
  threshold: number;
  meanSingleR2: number;
  /** Lag pairs that are best for at least one neuron, most neurons first. */
  pairHistogram: Array<{ pair: [number, number]; neurons: number; meanR2: number }>;
  neurons: NeuronFactor[];
  /** Every pair, in enumeration order. */
  pairs: PairRow[];
  /** Largest cell table one task built (bytes); the study's dense layout would need 65,536·H·8 per pair. */
  peakCellBytes: number;
  /** R² of every pair (pairs × H), in `pairs` order: for read-back partners. */
  pairR2: Float64Array;
}

function checkLags(lags: readonly number[]): number[] {
  if (!Array.isArray(lags) || lags.length < 2 || lags.some((l) => !Number.isInteger(l) || l < 0 || l > 1 << 20) ||
    new Set(lags).size !== lags.length) {
    fail(ErrorCodes.OPTION, `lags must be at least two distinct integers ≥ 0, got ${JSON.stringify(lags)}`);
  }
  return [...lags];
}

export async function factorMap(corpus: Corpus, fit: StateRange, score: StateRange, opts: FactorMapOptions = {}): Promise<FactorMapReport> {
  const lags = checkLags(opts.lags ?? STUDY_LAGS);
  const threads = checkThreads(opts.threads);
  const maxLag = Math.max(...lags);
  const H = fit.trajectory.hidden;
  if (score.trajectory.hidden !== H) fail(ErrorCodes.SHAPE, 'fit and score trajectories differ in hidden size');
  const { fitRows, scoreRows, ranges } = fitScoreRows(corpus, fit, score, maxLag, 'factor map');
  const r = await runJob(opts, (cancel, onProgress) =>
    native().factorMap(corpus.bytes, H, fitRows, scoreRows, new Int32Array(lags), threads, cancel, onProgress));

  const P = r.pairLag1.length;
  const L = lags.length;
  const nScore = score.end - score.begin;
  const pairOf = (p: number): [number, number] => {
    const a = r.pairLag1[p], b = r.pairLag2[p];
    return a < b ? [a, b] : [b, a];
  };
  const neurons: NeuronFactor[] = [];
  for (let j = 0; j < H; j++) {
    const p = argmax(P, (q) => r.pairR2[q * H + j]);
    const l = argmax(L, (q) => r.singleR2[q * H + j]);
    neurons.push({ neuron: j, pair: pairOf(p), r2: r.pairR2[p * H + j], single: { lag: lags[l], r2: r.singleR2[l * H + j] } });
  }
  const best = neurons.map((n) => n.r2);
  const pairs: PairRow[] = [];
  for (let p = 0; p < P; p++) {
    const key = pairOf(p).join(',');
    const won = neurons.filter((n) => n.pair.join(',') === key);
    let sum = 0;
    for (let j = 0; j < H; j++) sum += r.pairR2[p * H + j];
    pairs.push({
      pair: pairOf(p), neurons: won.length,
      meanBestR2: won.length ? won.reduce((a, n) => a + n.r2, 0) / won.length : null,
      meanR2: sum / H, cells: r.pairCells[p], unseenShare: r.pairUnseen[p] / nScore,
    });
  }
  const pairHistogram = pairs.filter((p) => p.neurons > 0)
    .sort((a, b) => b.neurons - a.neurons || a.pair[0] - b.pair[0] || a.pair[1] - b.pair[1])
    .map((p) => ({ pair: p.pair, neurons: p.neurons, meanR2: p.meanBestR2 as number }));
  return {
    lags, ...ranges,
    meanR2: mean(best), countAbove: best.filter((v) => v >= R2_THRESHOLD).length, threshold: R2_THRESHOLD,
    meanSingleR2: mean(neurons.map((n) => n.single.r2)),
    pairHistogram, neurons, pairs, peakCellBytes: r.peakCellBytes, pairR2: r.pairR2,
  };
}

/**
 * Each neuron's best partner of lag 1 (read-back key (a): lags (1, ℓ2)): the lag ℓ2 ≠ 1 whose
 * pair (1, ℓ2) has the highest R², ties to the earlier pair.
 */
export function lagOnePartners(map: FactorMapReport, hidden: number): number[] {
  const candidates = map.pairs.map((p, i) => ({ p, i })).filter(({ p }) => p.pair[0] === 1 || p.pair[1] === 1);
  if (candidates.length === 0) fail(ErrorCodes.OPTION, 'read-back needs lag 1 among the factor map lags');
  const out: number[] = [];
  for (let j = 0; j < hidden; j++) {
    const k = argmax(candidates.length, (c) => map.pairR2[candidates[c].i * hidden + j]);
    const { pair } = candidates[k].p;
    out.push(pair[0] === 1 ? pair[1] : pair[0]);
  }
  return out;
}

export function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}
