/**
 * Stage "skipgram": skip-k-grams (SPEC §4) — the greedy offsets to 8 with the MI profile,
 * the held-out ladder (scale mode), pattern witnesses of the model; in study mode also the
 * study's skip-4 [1,8,20,3] with its pattern count.
 */
import { runSkipgram, skipgramStats, SkipgramRunResult } from '../skipgram';
import { STUDY_SKIP4 } from './figures';
import { Stage } from './stage';

export const SKIP_ORDER = 8;

export interface SkipgramStageResult {
  greedy: SkipgramRunResult;
  /** Study mode: plug-in H(Y | X_D) and patterns of the study's skip-4 list. */
  skip4?: { offsets: number[]; bpc: number; patterns: number; contexts: number };
}

export const skipgramStage: Stage<SkipgramStageResult> = {
  id: 'skipgram',
  title: 'skip-k-grams and witnesses',
  version: 1,
  options: (ctx) => ({ order: SKIP_ORDER, ...(ctx.mode === 'scale' ? { testFraction: ctx.testFraction } : {}) }),
  run: async (ctx) => {
    const greedy = await runSkipgram(ctx.corpus, {
      mode: ctx.mode, greedy: SKIP_ORDER, model: ctx.model, isa: ctx.isa, threads: ctx.threads,
      signal: ctx.signal, onProgress: ctx.onProgress,
      ...(ctx.mode === 'scale' ? { testFraction: ctx.testFraction } : {}),
    });
    if (ctx.mode === 'scale') return { greedy };
    const s = await skipgramStats(ctx.corpus, STUDY_SKIP4.offsets, { signal: ctx.signal });
    return { greedy, skip4: { offsets: STUDY_SKIP4.offsets, bpc: s.bits, patterns: s.patterns, contexts: s.contexts } };
  },
};
