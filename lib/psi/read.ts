/**
 * readModel: every ψ analysis (docs/definitions.md, ψ) on one model and corpus, from one captured
 * trajectory (study mode) or a train and a test trajectory (scale mode).
 *  - study: the study's definitions, all in-sample, on the whole corpus (its 1 KB slice).
 *  - scale: lags 0 … 20, cell means fitted on train positions and scored on test positions,
 *    over `positions` positions (default 2^20) taken from the start of each split.
 */
import { Corpus, DEFAULT_TEST_FRACTION } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { JobOptions } from '../jobs';
import { Model } from '../model';
import { Trajectory, captureTrajectory } from '../trajectory';
import { checkModelCorpus } from '../evaluate';
import { checkOptions, checkPositiveInt, checkThreads } from '../validate';
import { FactorMapReport, SCALE_LAGS, STUDY_LAGS, factorMap, lagOnePartners } from './factor-map';
import { StateFeatureReport, stateFeatureMap } from './features';
import { HebbianReport, hebbianEstimates } from './hebbian';
import { ReadBackReport, readBack } from './readback';
import { StateRange } from './rows';
import { ByteNorm, wxInputNorms } from './wx';

export type ReadMode = 'study' | 'scale';
export const DEFAULT_SCALE_POSITIONS = 1 << 20;

export interface ReadOptions extends JobOptions {
  mode?: ReadMode;
  /** Scale mode: positions analysed, train and test together (default 2^20). */
  positions?: number;
  /** Scale mode: the test share of the corpus (default 0.1). */
  testFraction?: number;
  threads?: number;
  isa?: string;
  /** Bound on the captured trajectories' memory (default 2 GiB). */
  maxBytes?: number;
  /** Also compute the best state feature per neuron (default true). */
  stateFeatures?: boolean;
}

/** The study's printed figures, reported beside ours (study mode only). */
export const STUDY_FIGURES = {
  wxTop: [{ name: '<', norm: 3.75 }, { name: 'space', norm: 3.74 }, { name: '>', norm: 3.49 }],
  factorMap: { meanR2: 0.837, countAbove: 120, bestPair: { pair: [1, 7], neurons: 52 } },
  readBack: { wordLen: { bpc: 0.50, shareOfGain: 0.91 }, inTag: { bpc: 0.43, shareOfGain: 0.925 } },
  hebbian: { rStrong: 0.56, signAccuracy: 0.727, note: 'not reproducible from the public model and data' },
  stateFeatures: { wordLenWins: 128 },
} as const;

export interface ReadResult {
  mode: ReadMode;
  hidden: number;
  corpus: { name: string; size: number };
  /** Trajectories captured: [begin, end) byte ranges, each run from h = 0. */
  trajectories: Array<[number, number]>;
  memory: { trajectoryBytes: number; peakCellBytes: number };
  wxTop: ByteNorm[];
  hebbian: HebbianReport;
  factorMap: Omit<FactorMapReport, 'pairR2'>;
  readBack: ReadBackReport;
  stateFeatures?: StateFeatureReport;
  study?: typeof STUDY_FIGURES;
  seconds: number;
}

export async function readModel(model: Model, corpus: Corpus, options?: ReadOptions): Promise<ReadResult> {
  checkModelCorpus(model, corpus);
  const opts = checkOptions('readModel', options);
  const mode = opts.mode ?? 'study';
  if (mode !== 'study' && mode !== 'scale') fail(ErrorCodes.OPTION, `mode must be study|scale, got ${String(mode)}`);
  const threads = checkThreads(opts.threads);
  const t0 = process.hrtime.bigint();
  const lags = mode === 'study' ? STUDY_LAGS : SCALE_LAGS;
  const maxLag = Math.max(...lags);
  const stages = opts.stateFeatures === false ? 5 : 6;
  let stage = 0;
  const job = (): JobOptions => {
    const k = stage++;
    return { signal: opts.signal, onProgress: opts.onProgress && ((d, t) => opts.onProgress!(k + (t > 0 ? d / t : 0), stages)) };
  };
  const capture = (range: [number, number]): Promise<Trajectory> =>
    captureTrajectory(model, corpus, { range, capture: ['hidden'], maxBytes: opts.maxBytes, isa: opts.isa, ...job() });

  let fit: StateRange, score: StateRange, trajectories: Trajectory[];
  if (mode === 'study') {
    if (corpus.size <= maxLag + 1) fail(ErrorCodes.CORPUS_TOO_SHORT, `study mode needs more than ${maxLag + 1} bytes`);
    const t = await capture([0, corpus.size]);
    stage++;
    trajectories = [t];
    fit = score = { trajectory: t, begin: maxLag, end: corpus.size };
  } else {
    const positions = checkPositiveInt('positions', opts.positions ?? DEFAULT_SCALE_POSITIONS);
    const split = corpus.split(opts.testFraction ?? DEFAULT_TEST_FRACTION);
    const nTrain = Math.round(positions * (1 - split.testFraction));
    const trainEnd = Math.min(split.train[1], split.train[0] + maxLag + nTrain);
    const testEnd = Math.min(split.test[1], split.test[0] + maxLag + (positions - nTrain));
    if (trainEnd - split.train[0] <= maxLag || testEnd - split.test[0] <= maxLag + 1) {
      fail(ErrorCodes.CORPUS_TOO_SHORT, `scale mode needs more than ${maxLag + 1} bytes in each split`);
    }
    const tr = await capture([split.train[0], trainEnd]);
    const te = await capture([split.test[0], testEnd]);
    trajectories = [tr, te];
    fit = { trajectory: tr, begin: split.train[0] + maxLag, end: trainEnd };
    score = { trajectory: te, begin: split.test[0] + maxLag, end: testEnd };
  }

  const hebbian = await hebbianEstimates(model, corpus, mode === 'study' ? { ...fit, begin: 0 } : fit, { isa: opts.isa, ...job() });
  const fm = await factorMap(corpus, fit, score, { lags, threads, ...job() });
  const partners = lagOnePartners(fm, model.hidden);
  const rb = await readBack(model, corpus, fit, score, partners, { isa: opts.isa, ...job() });
  let stateFeatures: StateFeatureReport | undefined;
  // In-sample by definition (factor_map3 starts at t = 1); in scale mode on the train positions.
  if (opts.stateFeatures !== false) {
    stateFeatures = await stateFeatureMap(corpus, mode === 'study' ? { ...fit, begin: 1 } : fit, job());
  }
  const { pairR2: _omit, ...factor } = fm;
  void _omit;
  return {
    mode, hidden: model.hidden, corpus: { name: corpus.name, size: corpus.size },
    trajectories: trajectories.map((t) => [t.begin, t.end]),
    memory: { trajectoryBytes: trajectories.reduce((s, t) => s + t.bytes, 0), peakCellBytes: fm.peakCellBytes },
    wxTop: wxInputNorms(model).top, hebbian, factorMap: factor, readBack: rb, stateFeatures,
    study: mode === 'study' ? STUDY_FIGURES : undefined,
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
  };
}
