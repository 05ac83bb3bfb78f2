/**
 * Pattern witnesses: at each position, is there a trie context whose counts make
 * the RNN's argmax the most frequent continuation? Counted in-sample on the same bytes.
 */
import { Corpus, checkRange } from '../corpus';
import { JobOptions, runJob } from '../jobs';
import { Model } from '../model';
import { native } from '../native';
import { checkIsa } from '../validate';
import { checkMaxBytes, checkOffsets } from './options';

export interface WitnessOptions extends JobOptions {
  /** Scored bytes [begin, end) (default: the whole corpus). */
  range?: [number, number];
  /** Bytes the trie is counted on (default: `range` itself, in-sample). */
  train?: [number, number];
  isa?: string;
  maxBytes?: number;
}

export interface WitnessResult {
  offsets: number[];
  /** Positions s ∈ [max(begin, max D), end). */
  positions: number;
  /** Share of positions where the RNN's argmax is x_s. */
  rnnAccuracy: number;
  /** Share of positions with at least one witness. */
  coverage: number;
  /** Coverage among positions where the RNN is right, and where it is wrong. */
  coverageCorrect: number | null;
  coverageIncorrect: number | null;
  /** By depth k = 1 … K: share of positions whose depth-k context is a witness. */
  byDepth: Array<{ depth: number; matched: number; witnessed: number; witnessedCorrect: number; share: number }>;
  /** Share of positions whose deepest witness has depth k (k = 0: none). */
  deepest: number[];
}

export async function patternWitness(model: Model, corpus: Corpus, offsets: number[], opts: WitnessOptions = {}): Promise<WitnessResult> {
  const D = checkOffsets(offsets);
  const [begin, end] = checkRange(corpus, opts.range ?? [0, corpus.size]);
  const train = opts.train ? checkRange(corpus, opts.train, 1) : undefined;
  const isa = checkIsa(opts.isa);
  const maxBytes = checkMaxBytes(opts.maxBytes);
  const w = await runJob(opts, (cancel, onProgress) =>
    native().skipgramWitness(model.params, model.hidden, corpus.bytes, Int32Array.from(D), begin, end, { isa, maxBytes, train }, cancel, onProgress));
  const n = w.positions;
  const incorrect = n - w.correct;
  return {
    offsets: [...D],
    positions: n,
    rnnAccuracy: w.correct / n,
    coverage: w.covered / n,
    coverageCorrect: w.correct ? w.coveredCorrect / w.correct : null,
    coverageIncorrect: incorrect ? w.coveredIncorrect / incorrect : null,
    byDepth: D.map((_, i) => ({
      depth: i + 1, matched: w.matched[i + 1], witnessed: w.witnessed[i + 1],
      witnessedCorrect: w.witnessedCorrect[i + 1], share: w.witnessed[i + 1] / n,
    })),
    deepest: Array.from(w.deepest, (c) => c / n),
  };
}
