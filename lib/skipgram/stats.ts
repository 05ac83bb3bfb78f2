/**
 * The study's skip-gram statistics, in-sample and unsmoothed: plug-in H(Y | X_D),
 * patterns, the greedy offset search and the single-offset MI profile. All counting is native.
 */
import { Corpus, checkRange } from '../corpus';
import { JobOptions, runJob } from '../jobs';
import { native } from '../native';
import { checkMaxBytes, checkMaxOffset, checkOffsets, checkOrder, nanToNull } from './options';

export interface SkipgramStats {
  offsets: number[];
  /** Plug-in H(Y | X_D) in bits per predicted byte, over s ∈ [max(begin, max D), end). */
  bits: number;
  /** Distinct (context, next byte) pairs with a nonzero count. */
  patterns: number;
  contexts: number;
  positions: number;
  /** Peak memory of the count, bytes (sort buffers for the plug-in statistics). */
  bytes: number;
}

export interface StatsOptions extends JobOptions {
  /** Bytes [begin, end) (default: the whole corpus). */
  range?: [number, number];
  /** Memory bound of the count tables (default 8 GiB); beyond it: E_MEMORY_LIMIT. */
  maxBytes?: number;
}

export async function skipgramStats(corpus: Corpus, offsets: number[], opts: StatsOptions = {}): Promise<SkipgramStats> {
  const D = checkOffsets(offsets);
  const [begin, end] = checkRange(corpus, opts.range ?? [0, corpus.size], 1);
  const maxBytes = checkMaxBytes(opts.maxBytes);
  const r = await runJob(opts, (cancel, onProgress) =>
    native().skipgramEntropy(corpus.bytes, begin, end, Int32Array.from(D), { maxBytes }, cancel, onProgress));
  return { offsets: [...D], ...r };
}

export interface MiProfileOptions extends JobOptions {
  range?: [number, number];
  /** Offsets d = 1 … maxOffset (default 30). */
  maxOffset?: number;
}

/** MI(d) = H(Y) − H(Y | X_d) in bits, both over s ∈ [max(begin, d), end); index d − 1. */
export async function miProfile(corpus: Corpus, opts: MiProfileOptions = {}): Promise<Array<number | null>> {
  const [begin, end] = checkRange(corpus, opts.range ?? [0, corpus.size], 1);
  const maxOffset = checkMaxOffset(opts.maxOffset, 1);
  const mi = await runJob(opts, (cancel, onProgress) =>
    native().skipgramMiProfile(corpus.bytes, begin, end, maxOffset, cancel, onProgress));
  return nanToNull(mi);
}

export interface GreedyStep extends SkipgramStats {
  /** The offset this step added (the start list's last offset for the first step). */
  added: number;
  /** The step's score: plug-in entropy (study) or held-out bits per byte (scale). */
  score: number;
  /** Score of each candidate d (index d − 1); null for offsets already chosen. */
  candidates: Array<number | null>;
}

export interface GreedyStudyOptions extends StatsOptions {
  /** Final number of offsets (1 … 8). */
  order: number;
  /** Candidates d ∈ 1 … maxOffset (default 30). */
  maxOffset?: number;
  /** The list greedy starts from (default [1], as in the study). */
  start?: number[];
}

/**
 * The study's greedy search: from `start`, add the d that minimises the plug-in
 * H(Y | X_{D ∪ d}); ties go to the smaller d. Returns one step per list length.
 */
export async function greedyStudy(corpus: Corpus, opts: GreedyStudyOptions): Promise<GreedyStep[]> {
  const start = checkOffsets(opts.start ?? [1], 'start');
  const order = checkOrder(opts.order, Math.max(1, start.length));
  const maxOffset = checkMaxOffset(opts.maxOffset, order);
  const [begin, end] = checkRange(corpus, opts.range ?? [0, corpus.size], 1);
  const maxBytes = checkMaxBytes(opts.maxBytes);
  const steps = await runJob(opts, (cancel, onProgress) =>
    native().skipgramGreedy(corpus.bytes, Int32Array.from(start), order, maxOffset, { mode: 'study', begin, end, maxBytes }, cancel, onProgress));
  return steps.map(toStep);
}

export function toStep(s: import('../native').NativeGreedyStep): GreedyStep {
  return {
    offsets: Array.from(s.offsets), added: s.added, score: s.score, candidates: nanToNull(s.candidates),
    bits: s.bits, patterns: s.patterns, contexts: s.contexts, positions: s.positions, bytes: s.bytes,
  };
}
