/**
 * The three sources of error in one table: first-order (1 − r² of the Hebbian fit of
 * Wh, from ψ), pairwise (offset-pair synergy from counts), Boolean (sign-only vs full bpc).
 *  - study: everything in-sample on the whole corpus.
 *  - scale: the Hebbian fit on the first `positions` states of the train split, synergy on the
 *    first `synergyBytes` of the train split, the Boolean row on the test split (64 streams).
 */
import { Corpus, DEFAULT_TEST_FRACTION } from '../corpus';
import { checkModelCorpus } from '../evaluate';
import { JobOptions } from '../jobs';
import { Model } from '../model';
import { HebbianReport, hebbianEstimates } from '../psi/hebbian';
import { skipgramStats } from '../skipgram';
import { captureTrajectory } from '../trajectory';
import { checkOptions, checkPositiveInt } from '../validate';
import { AnalysisMode, DEFAULT_SCALE_STREAMS, analysisRange, staged } from '../boolean/run';
import { scoredBpc, signVectors } from '../boolean/sign-vectors';
import { SynergyReport, pairwiseSynergy } from './synergy';

export const DEFAULT_HEBBIAN_POSITIONS = 1 << 18;
export const DEFAULT_SYNERGY_BYTES = 1 << 20;

export interface ErrorSourcesOptions extends JobOptions {
  mode?: AnalysisMode;
  testFraction?: number;
  positions?: number;
  synergyBytes?: number;
  threads?: number;
  isa?: string;
  maxBytes?: number;
}

export const STUDY_ERROR_FIGURES = {
  hebbianR: 0.56,
  oneMinusR2: 0.44,
  synergy: 'more than 1.0 bit per offset pair',
  signShareOfGain: 0.997,
  note: 'r = 0.56 (at |w| ≥ 3) and 99.7% are not given by the public model',
} as const;

export interface ErrorSourcesResult {
  mode: AnalysisMode;
  hidden: number;
  corpus: { name: string; size: number };
  firstOrder: {
    states: [number, number];
    r: number | null;
    oneMinusR2: number | null;
    /** Over |Wh| ≥ 3; null when no entry is that large. */
    rStrong: number | null;
    strongEntries: number;
    oneMinusR2Strong: number | null;
    hebbian: HebbianReport;
  };
  pairwise: Omit<SynergyReport, 'all'>;
  boolean: { range: [number, number]; h0: number; bpc: number; signOnlyBpc: number; delta: number; signShareOfGain: number };
  study?: typeof STUDY_ERROR_FIGURES;
  seconds: number;
}

const oneMinusSq = (r: number | null): number | null => (r === null ? null : 1 - r * r);

export async function errorSources(model: Model, corpus: Corpus, options?: ErrorSourcesOptions): Promise<ErrorSourcesResult> {
  checkModelCorpus(model, corpus);
  const opts = checkOptions('errorSources', options);
  const mode = opts.mode ?? 'study';
  const { range } = analysisRange(corpus, mode, opts.testFraction);
  const t0 = process.hrtime.bigint();
  const job = staged(opts, 5);
  let hebRange: [number, number], synRange: [number, number];
  if (mode === 'study') {
    hebRange = synRange = range;
  } else {
    const train = corpus.split(opts.testFraction ?? DEFAULT_TEST_FRACTION).train;
    hebRange = [train[0], Math.min(train[1], train[0] + checkPositiveInt('positions', opts.positions ?? DEFAULT_HEBBIAN_POSITIONS))];
    synRange = [train[0], Math.min(train[1], train[0] + checkPositiveInt('synergyBytes', opts.synergyBytes ?? DEFAULT_SYNERGY_BYTES))];
  }
  const trajectory = await captureTrajectory(model, corpus, { range: hebRange, capture: ['hidden'], maxBytes: opts.maxBytes, isa: opts.isa, ...job() });
  const hebbian = await hebbianEstimates(model, corpus, { trajectory, begin: hebRange[0], end: hebRange[1] }, { isa: opts.isa, ...job() });
  const { all: _all, ...pairwise } = await pairwiseSynergy(corpus, { range: synRange, ...job() });
  void _all;
  const streams = mode === 'study' ? 1 : Math.min(DEFAULT_SCALE_STREAMS, Math.floor((range[1] - range[0]) / 2));
  const common = { range, streams, threads: opts.threads, isa: opts.isa };
  const bpc = scoredBpc(await signVectors(model, corpus, { ...common, dynamics: 'true', ...job() }));
  const signOnlyBpc = scoredBpc(await signVectors(model, corpus, { ...common, dynamics: 'sign-only', ...job() }));
  const h0 = (await skipgramStats(corpus, [], { range: [range[0] + 1, range[1]], signal: opts.signal })).bits;
  const wh = hebbian.Wh;
  return {
    mode, hidden: model.hidden, corpus: { name: corpus.name, size: corpus.size },
    firstOrder: {
      states: hebRange, r: wh.r, oneMinusR2: oneMinusSq(wh.r), rStrong: wh.rStrong.value, strongEntries: wh.rStrong.n,
      oneMinusR2Strong: oneMinusSq(wh.rStrong.value), hebbian,
    },
    pairwise,
    boolean: {
      range, h0, bpc, signOnlyBpc, delta: signOnlyBpc - bpc, signShareOfGain: (h0 - signOnlyBpc) / (h0 - bpc),
    },
    study: mode === 'study' ? STUDY_ERROR_FIGURES : undefined,
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
  };
}
