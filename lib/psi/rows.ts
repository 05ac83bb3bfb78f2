/** Positions of a captured trajectory that an analysis reads (the native StateRows). */
import { Corpus } from '../corpus';
import { ErrorCodes, fail } from '../errors';
import { NativeRows } from '../native';
import { Trajectory } from '../trajectory';

export interface StateRange {
  /** A trajectory captured with 'hidden'. */
  trajectory: Trajectory;
  /** Positions t ∈ [begin, end) (absolute byte indices; h_t is the state after x_t). */
  begin: number;
  end: number;
}

/** Validates a range against its trajectory and the corpus, and the room for `maxLag`. */
export function nativeRows(corpus: Corpus, r: StateRange, maxLag: number, what: string): NativeRows {
  const t = r.trajectory;
  if (!t || !t.states) fail(ErrorCodes.OPTION, `${what}: the trajectory must be captured with 'hidden'`);
  if (!Number.isSafeInteger(r.begin) || !Number.isSafeInteger(r.end) || r.begin < t.begin || r.end > t.end || r.begin >= r.end) {
    fail(ErrorCodes.RANGE, `${what}: positions ${r.begin}:${r.end} must be a non-empty part of the trajectory ${t.begin}:${t.end}`);
  }
  if (t.end > corpus.size) fail(ErrorCodes.RANGE, `${what}: the trajectory runs past the corpus`);
  if (r.begin < maxLag) fail(ErrorCodes.RANGE, `${what}: position ${r.begin} has no byte at lag ${maxLag}`);
  return { states: t.states, first: t.begin, begin: r.begin, end: r.end };
}

/** Where a ψ analysis fit its cell means and where it scored them. */
export interface FitScoreRanges {
  /** 'in-sample' when fit and score are the same positions of the same trajectory. */
  split: 'in-sample' | 'held-out';
  fitPositions: [number, number];
  scorePositions: [number, number];
}

/** The native rows of a fit and a score range (each with room for `maxLag`), and how they split. */
export function fitScoreRows(corpus: Corpus, fit: StateRange, score: StateRange, maxLag: number, what: string):
  { fitRows: NativeRows; scoreRows: NativeRows; ranges: FitScoreRanges } {
  const inSample = fit.trajectory === score.trajectory && fit.begin === score.begin && fit.end === score.end;
  return {
    fitRows: nativeRows(corpus, fit, maxLag, `${what} fit`),
    scoreRows: nativeRows(corpus, score, maxLag, `${what} score`),
    ranges: { split: inSample ? 'in-sample' : 'held-out', fitPositions: [fit.begin, fit.end], scorePositions: [score.begin, score.end] },
  };
}

/** Index of the largest value (ties: the first), over `n` values `at(i)`. */
export function argmax(n: number, at: (i: number) => number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (at(i) > at(best)) best = i;
  return best;
}
