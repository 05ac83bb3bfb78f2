/**
 * Stage "skipgram": skip-k-grams (SPEC §4) — the greedy offsets to 8 with the MI profile,
 * the held-out ladder (scale mode), pattern witnesses of the model; in study mode also the
 * study's skip-4 [1,8,20,3] with its pattern count.
 */
import { runSkipgram, skipgramStats, SkipgramRunResult } from '../skipgram';
import { STUDY_SKIP4 } from './figures';
import { Stage, StageContext } from './stage';

export const SKIP_ORDER = 8;
/** Scale mode: the greedy search runs on the last 4 MiB of train (docs/skipgram.md, "Selecting on a sample"). */
export const SELECTION_BYTES = 4 << 20;
/** Scale mode: the memory the skip-gram tables may take (SPEC §8's bench goal: the study under 4 GB). */
export const SKIPGRAM_MAX_BYTES = 4 * 2 ** 30;
/**
 * Table memory per counted position of an 8-offset held-out model, measured: 5.7 GB for the
 * 90 M positions of mixed-100m's train (≈ 63 B; at most one new pattern and context each).
 * The count range is capped so the estimate fits the bound before any table is built.
 */
export const TABLE_BYTES_PER_POSITION = 64;

/** Scale mode: the greedy sample, the count range capped to the memory bound, the bound. */
function scaleRanges(ctx: StageContext): { selectionBytes: number; countBytes: number; maxBytes: number } {
  const maxBytes = ctx.tuning.skipgramMaxBytes ?? SKIPGRAM_MAX_BYTES;
  return {
    selectionBytes: ctx.tuning.skipgramSelectionBytes ?? SELECTION_BYTES,
    countBytes: Math.floor(maxBytes / TABLE_BYTES_PER_POSITION),
    maxBytes,
  };
}

export interface SkipgramStageResult {
  greedy: SkipgramRunResult;
  /** Study mode: plug-in H(Y | X_D) and patterns of the study's skip-4 list. */
  skip4?: { offsets: number[]; bpc: number; patterns: number; contexts: number };
}

export const skipgramStage: Stage<SkipgramStageResult> = {
  id: 'skipgram',
  title: 'skip-k-grams and witnesses',
  version: 1,
  options: (ctx) => ({ order: SKIP_ORDER, ...(ctx.mode === 'scale' ? { testFraction: ctx.testFraction, ...scaleRanges(ctx) } : {}) }),
  run: async (ctx) => {
    const greedy = await runSkipgram(ctx.corpus, {
      mode: ctx.mode, greedy: SKIP_ORDER, model: ctx.model, isa: ctx.isa, threads: ctx.threads,
      signal: ctx.signal, onProgress: ctx.onProgress,
      ...(ctx.mode === 'scale' ? { testFraction: ctx.testFraction, ...scaleRanges(ctx) } : {}),
    });
    if (ctx.mode === 'scale') return { greedy };
    const s = await skipgramStats(ctx.corpus, STUDY_SKIP4.offsets, { signal: ctx.signal });
    return { greedy, skip4: { offsets: STUDY_SKIP4.offsets, bpc: s.bits, patterns: s.patterns, contexts: s.contexts } };
  },
};
