/**
 * Jacobian attribution (ours): α(t, d) = Σ_j ∂log2 p_t(x_{t+1})/∂z_j(t+1−d)·Wx[j, x_{t+1−d}]
 * for every position of a range and d = 1 … maxOffset, natively in one backward sweep whose
 * GEMMs take blocks of positions as their batch. Alignment(d) = Σ_t |α(t, d)|·1[PMI_d > 0.5] /
 * Σ_t |α(t, d)|, when a PMI mask is given.
 */
import { Corpus } from '../corpus';
import { checkModelCorpus } from '../evaluate';
import { JobOptions, runJob } from '../jobs';
import { Model } from '../model';
import { native } from '../native';
import { StateRange, nativeRows } from '../psi/rows';
import { checkIsa, checkOptions, checkThreads } from '../validate';
import { checkMaxOffset } from './pmi';

export interface JacobianOptions extends JobOptions {
  /** d = 1 … maxOffset (default 32). */
  maxOffset?: number;
  /** maxOffset × 65536 mask (alignedMask of the PMI tables). */
  aligned?: Uint8Array;
  /** Also return every α(t, d) (positions × maxOffset floats, NaN where undefined). */
  keepAlpha?: boolean;
  threads?: number;
  isa?: string;
}

export interface JacobianCurvePoint {
  d: number;
  /** Positions where the byte at offset d lies in the trajectory. */
  positions: number;
  mean: number;
  meanAbs: number;
  /** Share of Σ|α| on byte pairs with PMI_d > 0.5; null without a mask. */
  alignment: number | null;
  alignedAbs: number;
  abs: number;
}

export interface JacobianReport {
  range: [number, number];
  positions: number;
  maxOffset: number;
  curve: JacobianCurvePoint[];
  alpha?: Float32Array;
  seconds: number;
}

export async function jacobianAttribution(model: Model, corpus: Corpus, rows: StateRange, options?: JacobianOptions): Promise<JacobianReport> {
  checkModelCorpus(model, corpus);
  const opts = checkOptions('jacobianAttribution', options);
  const maxOffset = checkMaxOffset(opts.maxOffset, 32);
  const threads = checkThreads(opts.threads);
  const isa = checkIsa(opts.isa);
  const n = nativeRows(corpus, rows, 0, 'jacobian attribution');
  const alpha = opts.keepAlpha ? new Float32Array((rows.end - rows.begin) * maxOffset) : undefined;
  const t0 = process.hrtime.bigint();
  const r = await runJob(opts, (cancel, onProgress) => native().jacobianAttribution(model.params, model.hidden, corpus.bytes, n,
    { isa, threads, maxOffset, alpha, aligned: opts.aligned }, cancel, onProgress));
  const curve = Array.from({ length: maxOffset }, (_, i) => ({
    d: i + 1, positions: r.count[i], mean: r.sum[i] / r.count[i], meanAbs: r.absSum[i] / r.count[i],
    alignment: opts.aligned && r.absSum[i] > 0 ? r.alignedAbs[i] / r.absSum[i] : null,
    alignedAbs: r.alignedAbs[i], abs: r.absSum[i],
  }));
  return { range: [rows.begin, rows.end], positions: r.positions, maxOffset, curve, alpha, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

/** FLOPs of one position (multiply-add = 2): readout and its gradient 4·256·H, then 2H² per further offset. */
export function jacobianFlopsPerPosition(hidden: number, maxOffset: number): number {
  return 4 * 256 * hidden + 2 * (maxOffset - 1) * hidden * hidden;
}
