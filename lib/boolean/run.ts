/**
 * booleanStructure: the network read as a Boolean automaton on one model and corpus — sign vectors
 * σ_t = 1[h_t ≥ 0] and their transitions, sign-only dynamics h_t = sgn z_t, margins |z_j(t)|, neuron
 * knock-out and keep-only-one (docs/definitions.md).
 *  - study: the study's definitions on the whole corpus (its 1 KB slice), one pass from h = 0.
 *  - scale: the test split; sign vectors over all of it as `streams` streams (default 64, the
 *    batch of the recurrence GEMM; each stream starts from h = 0), ablation over its first
 *    `ablationPositions` positions.
 */
import { Corpus, DEFAULT_TEST_FRACTION } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { checkModelCorpus } from '../evaluate';
import { JobOptions } from '../jobs';
import { Model } from '../model';
import { skipgramStats } from '../skipgram';
import { checkOptions, checkPositiveInt } from '../validate';
import { AblationReport, ablateNeurons } from './ablation';
import { SignVectorReport, scoredBpc, signVectors } from './sign-vectors';

export type AnalysisMode = 'study' | 'scale';
export const DEFAULT_SCALE_STREAMS = 64;
export const DEFAULT_ABLATION_POSITIONS = 1 << 15;

export interface BooleanOptions extends JobOptions {
  mode?: AnalysisMode;
  testFraction?: number;
  /** Scale mode: sign-vector streams (default 64). */
  streams?: number;
  /** Bytes the exact sign-vector tables may take (default 1 GiB). */
  maxMemory?: number;
  /** Scale mode: positions of the ablation (default 2^15). */
  ablationPositions?: number;
  threads?: number;
  isa?: string;
}

/** The study's printed Boolean figures; none follows from its public model and text, so none is a target. */
export const STUDY_BOOLEAN_FIGURES = {
  signVectors: 1023,
  signShareOfGain: 0.997,
  meanMargin: 60.5,
  note: 'printed by the study but not given by its public model and text',
} as const;

export interface BooleanResult {
  mode: AnalysisMode;
  hidden: number;
  corpus: { name: string; size: number };
  /** What the figures are measured on. */
  split: string;
  /** Order-0 entropy of the predicted bytes of the sign-vector range. */
  h0: number;
  trueDynamics: SignVectorReport;
  signOnly: SignVectorReport;
  /** (H0 − sign-only bpc) / (H0 − bpc): the share of the compression the sign bits carry. */
  signShareOfGain: number;
  ablation: AblationReport;
  study?: typeof STUDY_BOOLEAN_FIGURES;
  seconds: number;
}

/** The ranges of a mode: the whole corpus (study) or the test split (scale). */
export function analysisRange(corpus: Corpus, mode: AnalysisMode, testFraction?: number): { range: [number, number]; split: string } {
  if (mode !== 'study' && mode !== 'scale') fail(ErrorCodes.OPTION, `mode must be study|scale, got ${String(mode)}`);
  if (mode === 'study') return { range: [0, corpus.size], split: 'in-sample, the whole corpus' };
  const s = corpus.split(testFraction ?? DEFAULT_TEST_FRACTION);
  return { range: s.test, split: `test split [${s.test[0]}, ${s.test[1]}) (last ${100 * s.testFraction}%)` };
}

/** Progress of stage k of n as one bar: each job's share maps into [k, k + 1). */
export function staged(opts: JobOptions, stages: number): () => JobOptions {
  let stage = 0;
  return () => {
    const k = stage++;
    return { signal: opts.signal, onProgress: opts.onProgress && ((d, t) => opts.onProgress!(k + (t > 0 ? d / t : 0), stages)) };
  };
}

export async function booleanStructure(model: Model, corpus: Corpus, options?: BooleanOptions): Promise<BooleanResult> {
  checkModelCorpus(model, corpus);
  const opts = checkOptions('booleanStructure', options);
  const mode = opts.mode ?? 'study';
  const { range, split } = analysisRange(corpus, mode, opts.testFraction);
  const t0 = process.hrtime.bigint();
  const job = staged(opts, 3);
  const streams = mode === 'study' ? 1 : Math.min(checkPositiveInt('streams', opts.streams ?? DEFAULT_SCALE_STREAMS), Math.floor((range[1] - range[0]) / 2));
  const common = { range, streams, maxMemory: opts.maxMemory, threads: opts.threads, isa: opts.isa };
  const trueDynamics = await signVectors(model, corpus, { ...common, dynamics: 'true', ...job() });
  const signOnly = await signVectors(model, corpus, { ...common, dynamics: 'sign-only', ...job() });
  const h0 = (await skipgramStats(corpus, [], { range: [range[0] + 1, range[1]], signal: opts.signal })).bits;
  const ablationEnd = mode === 'study' ? range[1]
    : Math.min(range[1], range[0] + 1 + checkPositiveInt('ablationPositions', opts.ablationPositions ?? DEFAULT_ABLATION_POSITIONS));
  const ablation = await ablateNeurons(model, corpus, { range: [range[0], ablationEnd], threads: opts.threads, isa: opts.isa, ...job() });
  return {
    mode, hidden: model.hidden, corpus: { name: corpus.name, size: corpus.size }, split, h0, trueDynamics, signOnly,
    signShareOfGain: (h0 - scoredBpc(signOnly)) / (h0 - scoredBpc(trueDynamics)), ablation,
    study: mode === 'study' ? STUDY_BOOLEAN_FIGURES : undefined,
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
  };
}
