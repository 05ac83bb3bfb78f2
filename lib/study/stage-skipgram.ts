/**
 * Stage "skipgram": skip-k-grams (context x_{s−d}, d ∈ D, predicting x_s) — the greedy offsets to 8 with the MI profile,
 * the held-out ladder (scale mode), pattern witnesses of the model; in study mode also the
 * study's skip-4 [1,8,20,3] with its pattern count.
 */
import { runSkipgram, skipgramStats, SkipgramRunResult } from '../skipgram';
import { PROBE_BYTES, probeBytesPerPosition } from '../skipgram/memory';
import { STUDY_SKIP4 } from './figures';
import { Stage, StageContext } from './stage';

export const SKIP_ORDER = 8;
/** Scale mode: the greedy search runs on the last 4 MiB of train (docs/skipgram.md, "Selecting on a sample"). */
export const SELECTION_BYTES = 4 << 20;
/** Scale mode: the memory the skip-gram tables may take (the benchmark's goal: the whole study under 4 GB). */
export const SKIPGRAM_MAX_BYTES = 4 * 2 ** 30;
/**
 * Floor of the per-position estimate: an 8-offset held-out model on all of mixed-100m's train
 * took 5.7 GB for 90 M positions (≈ 63 B, counting and sort buffers included), more than the
 * probe's tables alone (38 B at 1 MiB, 22 B at 4 MiB: lower levels saturate).
 */
export const MEASURED_BYTES_PER_POSITION = 64;
/**
 * The count range gets half the bound at the probe's bytes per position: tables grow by
 * doubling, so a count larger than the probe may take up to twice its bytes per position.
 */
export const PROBE_HEADROOM = 0.5;

/** Scale mode: the greedy sample and the memory bound (the cache key's part). */
function scaleOptions(ctx: StageContext): { selectionBytes: number; maxBytes: number } {
  return {
    selectionBytes: ctx.tuning.skipgramSelectionBytes ?? SELECTION_BYTES,
    maxBytes: ctx.tuning.skipgramMaxBytes ?? SKIPGRAM_MAX_BYTES,
  };
}

/**
 * The memory a held-out model takes per counted position, measured before any large table
 * is built: the contiguous 1…8 model (as unique as an 8-offset set gets on text) counted on
 * the last PROBE_BYTES of train. The count range is capped from it, so the bound is known to
 * hold (within the doubling headroom) before the work rather than found exceeded after it.
 */
async function countBytesFor(ctx: StageContext, maxBytes: number): Promise<{ countBytes: number; probeBytesPerPosition: number }> {
  const split = ctx.corpus.split(ctx.testFraction);
  const { perPosition } = await probeBytesPerPosition(ctx.corpus, { order: SKIP_ORDER, train: split.train, test: split.test, maxBytes, signal: ctx.signal });
  const assumed = Math.max(perPosition, MEASURED_BYTES_PER_POSITION);
  return { countBytes: Math.max(PROBE_BYTES, Math.floor((PROBE_HEADROOM * maxBytes) / assumed)), probeBytesPerPosition: perPosition };
}

export interface SkipgramStageResult {
  greedy: SkipgramRunResult;
  /** Study mode: plug-in H(Y | X_D) and patterns of the study's skip-4 list. */
  skip4?: { offsets: number[]; bpc: number; patterns: number; contexts: number };
  /** Scale mode: the memory probe and the count range it allowed. */
  memory?: { maxBytes: number; probeBytesPerPosition: number; countBytes: number };
}

export const skipgramStage: Stage<SkipgramStageResult> = {
  id: 'skipgram',
  title: 'skip-k-grams and witnesses',
  version: 2,
  options: (ctx) => ({ order: SKIP_ORDER, ...(ctx.mode === 'scale' ? { testFraction: ctx.testFraction, ...scaleOptions(ctx) } : {}) }),
  run: async (ctx) => {
    const job = { mode: ctx.mode, greedy: SKIP_ORDER, model: ctx.model, isa: ctx.isa, threads: ctx.threads, signal: ctx.signal, onProgress: ctx.onProgress };
    if (ctx.mode === 'scale') {
      const { selectionBytes, maxBytes } = scaleOptions(ctx);
      const { countBytes, probeBytesPerPosition } = await countBytesFor(ctx, maxBytes);
      const greedy = await runSkipgram(ctx.corpus, { ...job, testFraction: ctx.testFraction, selectionBytes, countBytes, maxBytes });
      return { greedy, memory: { maxBytes, probeBytesPerPosition, countBytes } };
    }
    const greedy = await runSkipgram(ctx.corpus, job);
    const s = await skipgramStats(ctx.corpus, STUDY_SKIP4.offsets, { signal: ctx.signal });
    return { greedy, skip4: { offsets: STUDY_SKIP4.offsets, bpc: s.bits, patterns: s.patterns, contexts: s.contexts } };
  },
};
