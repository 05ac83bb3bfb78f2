/**
 * φ fitting on frozen states: the (α, s) grid search of the analytic readout
 * and the full-batch gradient descent of the optimised one, both native. States come
 * either from a real trajectory (study mode) or from sampled positions (scale mode: the
 * constructed state is a function of the last 16 bytes, so it is rebuilt, not stored).
 */
import { Corpus, checkRange } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { JobOptions, runJob } from '../jobs';
import { Model } from '../model';
import { native } from '../native';
import { checkIsa, checkPositiveInt, checkThreads } from '../validate';
import { PHI_ALPHAS, PHI_HIDDEN, PHI_SCALES, PhiCounts } from './construct';

/** Rows of states (S × 128) with the byte each predicts. */
export interface PhiRows {
  states: Float32Array;
  targets: Uint8Array;
  /** Corpus positions t of the rows (h_t predicts x_{t+1}), when sampled. */
  positions?: Float64Array;
}

export interface PhiComputeOptions extends JobOptions {
  threads?: number;
  isa?: string;
}

export interface PhiGrid {
  alphas: number[];
  scales: number[];
  /** bpc[a][s] over the rows. */
  bpc: number[][];
  best: { alpha: number; scale: number; bpc: number };
  positions: number;
}

export interface PhiReadoutFit {
  /** Mean cross-entropy in bits per epoch, before that epoch's update. */
  lossBits: number[];
  epochs: number;
  positions: number;
}

export interface PhiFitOptions extends PhiComputeOptions {
  epochs?: number;
  lr?: number;
  milestones?: number[];
  decay?: number;
}

function checkRows(rows: PhiRows): number {
  const S = rows.targets.length;
  if (S === 0) fail(ErrorCodes.CORPUS_TOO_SHORT, 'no positions to fit on');
  if (rows.states.length !== S * PHI_HIDDEN) {
    fail(ErrorCodes.SHAPE, `states must hold ${S} × ${PHI_HIDDEN} floats, got ${rows.states.length}`);
  }
  return S;
}

/**
 * Sampled rows: S positions t uniform in [begin + 15, end − 2] of the range (with
 * replacement, sorted, seeded) and their constructed states for the given bh.
 */
export async function samplePhiRows(
  corpus: Corpus, range: [number, number], bh: Float32Array, S: number, seed: number, opts: PhiComputeOptions = {},
): Promise<PhiRows> {
  const [begin, end] = checkRange(corpus, range, 17);
  checkPositiveInt('sample positions', S, 2 ** 26);
  if (bh.length !== PHI_HIDDEN) fail(ErrorCodes.SHAPE, `bh must have ${PHI_HIDDEN} floats`);
  const isa = checkIsa(opts.isa);
  const out = { positions: new Float64Array(S), states: new Float32Array(S * PHI_HIDDEN), targets: new Uint8Array(S) };
  await runJob(opts, (cancel, onProgress) =>
    native().phiSample(corpus.bytes, begin, end, bh, seed >>> 0, out, isa, cancel, onProgress));
  return out;
}

/** bpc of Wy = s·L(α) for every (α, s) of the grid, over the rows; the lowest wins (first on ties). */
export async function phiGridSearch(
  counts: PhiCounts, by: Float32Array, rows: PhiRows,
  opts: PhiComputeOptions & { alphas?: readonly number[]; scales?: readonly number[] } = {},
): Promise<PhiGrid> {
  const S = checkRows(rows);
  const alphas = [...(opts.alphas ?? PHI_ALPHAS)];
  const scales = [...(opts.scales ?? PHI_SCALES)];
  if (alphas.length === 0 || scales.length === 0 || alphas.some((a) => !(a > 0)) || scales.some((s) => !Number.isFinite(s))) {
    fail(ErrorCodes.OPTION, 'the grid needs positive alphas and finite scales');
  }
  const threads = checkThreads(opts.threads);
  const isa = checkIsa(opts.isa);
  const bits = await runJob(opts, (cancel, onProgress) =>
    native().phiGrid(counts, by, rows.states, rows.targets, new Float64Array(alphas), new Float64Array(scales),
      { isa, threads }, cancel, onProgress));
  const bpc = alphas.map((_, a) => scales.map((__, s) => bits[a * scales.length + s] / S));
  let best = { alpha: alphas[0], scale: scales[0], bpc: Infinity };
  alphas.forEach((alpha, a) => scales.forEach((scale, s) => {
    if (bpc[a][s] < best.bpc) best = { alpha, scale, bpc: bpc[a][s] };
  }));
  return { alphas, scales, bpc, best, positions: S };
}

/**
 * Full-batch gradient descent on the readout (Wy, by) of `model`, in place, over the rows:
 * The study's defaults (1000 epochs, lr 0.5 on the position-averaged gradient, ×0.3 at 300, 600, 800).
 */
export async function fitPhiReadout(model: Model, rows: PhiRows, opts: PhiFitOptions = {}): Promise<PhiReadoutFit> {
  if (model.hidden !== PHI_HIDDEN) fail(ErrorCodes.HIDDEN_RANGE, `the φ readout fit needs H = ${PHI_HIDDEN}`);
  const S = checkRows(rows);
  const epochs = opts.epochs ?? 1000;
  if (!Number.isInteger(epochs) || epochs < 0 || epochs > 1e6) fail(ErrorCodes.OPTION, `epochs must be an integer in 0…1e6, got ${epochs}`);
  const lr = opts.lr ?? 0.5;
  const decay = opts.decay ?? 0.3;
  if (!(lr > 0) || !(decay > 0)) fail(ErrorCodes.OPTION, 'lr and decay must be positive');
  const milestones = opts.milestones ?? [300, 600, 800];
  const loss = await runJob(opts, (cancel, onProgress) =>
    native().phiFitReadout(rows.states, rows.targets, model.Wy, model.by, {
      isa: checkIsa(opts.isa), threads: checkThreads(opts.threads), epochs, lr, decay, milestones: new Float64Array(milestones),
    }, cancel, onProgress));
  return { lossBits: Array.from(loss, (n) => n / Math.LN2), epochs, positions: S };
}
