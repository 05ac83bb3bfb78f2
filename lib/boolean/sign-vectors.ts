/**
 * Sign vectors: σ_t = 1[h_t ≥ 0] over the states t ∈ [begin, end − 1) of a
 * byte range, under the true dynamics or the sign-only dynamics (h = sgn z, same readout); their
 * number, frequencies and entropy, the transition map (σ_{t−1}, x_t) → σ_t, the pass's bpc and
 * the margins |z_j(t)|. Exact up to `maxMemory` bytes of tables; past it the distinct counts are
 * HyperLogLog estimates (≈ 0.8% standard error) marked `estimated`, and the exact figures cover
 * the first `exactPositions` states only.
 */
import { Corpus, checkRange } from '../corpus';
import { checkModelCorpus } from '../evaluate';
import { JobOptions, runJob } from '../jobs';
import { Model } from '../model';
import { native } from '../native';
import { checkIsa, checkOptions, checkPositiveInt, checkThreads } from '../validate';

export type Dynamics = 'true' | 'sign-only';
export const DEFAULT_SIGN_MAX_MEMORY = 2 ** 30;

export interface SignVectorOptions extends JobOptions {
  /** Bytes [begin, end) (default: the whole corpus). */
  range?: [number, number];
  dynamics?: Dynamics;
  /** The range split into this many streams, each run from h = 0 (default 1: one pass). */
  streams?: number;
  /** Bytes the exact tables may take (default 1 GiB). */
  maxMemory?: number;
  /** Run the readout for the bpc (default true; false: the enumeration alone, bpc null). */
  score?: boolean;
  threads?: number;
  isa?: string;
}

export interface MarginReport {
  /** Values |z_j(t)| over every neuron and counted state. */
  count: number;
  mean: number;
  median: number;
  /** False past 2^24 values: the median then comes from 64 bins per octave (≤ 0.8% off). */
  medianExact: boolean;
  shareBelow1: number;
  shareBelow01: number;
  histogram: Array<{ from: number; to: number | null; count: number }>;
}

export interface SignVectorReport {
  dynamics: Dynamics;
  range: [number, number];
  streams: number;
  /** States counted: t ∈ [begin, end − 1), each predicting x_{t+1}. */
  positions: number;
  /** bpc of this pass over those positions (null with score: false). */
  bpc: number | null;
  /** True when the tables passed maxMemory: `distinct` and `transitionKeys` are estimates. */
  estimated: boolean;
  distinct: number;
  transitionKeys: number;
  transitions: number;
  /** States the exact figures below cover (all of them unless estimated). */
  exactPositions: number;
  /** Entropy (bits) of the σ frequencies. */
  entropy: number;
  /** Share of transition keys followed by one σ only, and share of transitions through such keys. */
  deterministicKeyShare: number;
  deterministicTransitionShare: number;
  /** The largest σ counts, descending (at most 16). */
  topCounts: number[];
  peakTableBytes: number;
  margins: MarginReport;
  seconds: number;
}

export async function signVectors(model: Model, corpus: Corpus, options?: SignVectorOptions): Promise<SignVectorReport> {
  checkModelCorpus(model, corpus);
  const opts = checkOptions('signVectors', options);
  const range = checkRange(corpus, opts.range ?? [0, corpus.size]);
  const dynamics = opts.dynamics ?? 'true';
  const streams = checkPositiveInt('streams', opts.streams ?? 1, Math.floor((range[1] - range[0]) / 2));
  const maxMemory = checkPositiveInt('maxMemory', opts.maxMemory ?? DEFAULT_SIGN_MAX_MEMORY);
  const threads = checkThreads(opts.threads);
  const isa = checkIsa(opts.isa);
  const t0 = process.hrtime.bigint();
  const r = await runJob(opts, (cancel, onProgress) => native().signVectors(model.params, model.hidden, corpus.bytes, range[0], range[1],
    { isa, threads, signOnly: dynamics === 'sign-only', streams, maxMemory, score: opts.score !== false }, cancel, onProgress));
  const m = r.margins;
  return {
    dynamics, range, streams, positions: r.positions, bpc: opts.score === false ? null : r.bits / r.positions,
    estimated: r.estimated, distinct: r.distinct, transitionKeys: r.keys, transitions: r.transitions,
    exactPositions: r.exactPositions, entropy: r.entropy,
    deterministicKeyShare: r.exactKeys ? r.deterministicKeys / r.exactKeys : 0,
    deterministicTransitionShare: r.exactTransitions ? r.deterministicTransitions / r.exactTransitions : 0,
    topCounts: Array.from(r.topCounts), peakTableBytes: r.peakTableBytes,
    margins: {
      count: m.count, mean: m.mean, median: m.median, medianExact: m.medianExact,
      shareBelow1: m.below1 / m.count, shareBelow01: m.below01 / m.count,
      histogram: Array.from(m.histogram, (count, i) => ({ from: m.edges[i], to: i + 1 < m.edges.length ? m.edges[i + 1] : null, count })),
    },
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
  };
}

/** The bpc of a report made with the readout (the default); a bug to ask it of one without. */
export function scoredBpc(r: SignVectorReport): number {
  if (r.bpc === null) throw new Error('sign-vector report made with score: false has no bpc');
  return r.bpc;
}
