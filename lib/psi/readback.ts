/**
 * Reading bytes back: ĥ_t, the cell means of h given the key, replaces h_t in
 * the trained readout. Levels: (a) lags (1, ℓ2) with ℓ2 each neuron's best partner of
 * lag 1; (b) + word_len; (c) + word_len + in_tag. Each level falls back to the coarser key
 * when its cell is empty, then to the lag-1 cell, then to the neuron's fit mean.
 */
import { Corpus } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { JobOptions, runJob } from '../jobs';
import { Model } from '../model';
import { native } from '../native';
import { checkIsa } from '../validate';
import { FitScoreRanges, StateRange, fitScoreRows } from './rows';

export const READBACK_LEVELS = ['lags (1, ℓ2)', '+word_len', '+word_len+in_tag'] as const;

export interface ReadBackLevel {
  name: (typeof READBACK_LEVELS)[number];
  bpc: number;
  /** (H0 − bpc)/(H0 − bpcRnn). */
  shareOfGain: number;
  /** Neuron-positions resolved at the level's own key, a coarser level, the lag-1 cell, the fit mean. */
  resolved: { own: number; coarser: number; lag1: number; mean: number };
}

export interface ReadBackReport extends FitScoreRanges {
  /** Predicting x_{t+1} for t in this range (t + 1 < corpus size). */
  scorePositions: [number, number];
  positions: number;
  /** Order-0 entropy of the predicted bytes (computed; the study hard-coded 4.74). */
  h0: number;
  /** The trained model's own bpc over the same positions. */
  bpcRnn: number;
  levels: ReadBackLevel[];
  /** How many neurons take each partner lag. */
  partners: Array<{ lag: number; neurons: number }>;
}

export interface ReadBackOptions extends JobOptions {
  isa?: string;
}

export async function readBack(model: Model, corpus: Corpus, fit: StateRange, score: StateRange, partner: number[],
  opts: ReadBackOptions = {}): Promise<ReadBackReport> {
  const H = model.hidden;
  if (partner.length !== H || partner.some((p) => !Number.isInteger(p) || p < 0 || p === 1)) {
    fail(ErrorCodes.OPTION, `read-back needs one partner lag (an integer ≥ 0, not 1) per neuron (${H})`);
  }
  if (fit.trajectory.hidden !== H || score.trajectory.hidden !== H) fail(ErrorCodes.SHAPE, 'trajectory and model differ in hidden size');
  const isa = checkIsa(opts.isa);
  const maxLag = Math.max(1, ...partner);
  const { fitRows, scoreRows, ranges } = fitScoreRows(corpus, fit, score, maxLag, 'read-back');
  const r = await runJob(opts, (cancel, onProgress) =>
    native().readback(model.params, H, corpus.bytes, fitRows, scoreRows, new Int32Array(partner), isa, cancel, onProgress));
  const counts = new Map<number, number>();
  for (const p of partner) counts.set(p, (counts.get(p) ?? 0) + 1);
  return {
    ...ranges,
    scorePositions: [score.begin, Math.min(score.end, corpus.size - 1)],
    positions: r.positions, h0: r.h0, bpcRnn: r.bpcRnn,
    levels: READBACK_LEVELS.map((name, L) => ({
      name, bpc: r.bpc[L], shareOfGain: (r.h0 - r.bpc[L]) / (r.h0 - r.bpcRnn),
      resolved: { own: r.resolved[L * 4], coarser: r.resolved[L * 4 + 1], lag1: r.resolved[L * 4 + 2], mean: r.resolved[L * 4 + 3] },
    })),
    partners: [...counts].map(([lag, neurons]) => ({ lag, neurons })).sort((a, b) => b.neurons - a.neurons || a.lag - b.lag),
  };
}
