/** Stage "eval": the model's bpc (one pass from h = 0, mean −log2 p of each next byte), whole corpus in study mode, train and test in scale mode. */
import { evaluate, sampleRanges } from '../evaluate';
import { Stage } from './stage';

export interface EvalStageResult {
  /** Study: the whole corpus; scale: the train split. */
  trainBpc: number;
  /** Scale mode: the bytes of train scored (TRAIN_SAMPLE_BYTES at most). */
  trainBytes?: number;
  testBpc: number | null;
  positions: number;
  isa: string;
  seconds: number;
}

/**
 * Scale mode: train bpc is scored on 64 streams of 256 KiB evenly spaced over train (16 MiB, all of
 * train when smaller): a secondary figure beside test bpc, which is scored whole (docs/study.md).
 * The φ stage scores its rows' train bpc the same way.
 */
export const TRAIN_SAMPLE_BYTES = 16 << 20;

export const evalStage: Stage<EvalStageResult> = {
  id: 'eval',
  title: 'bpc of the model',
  version: 2,
  options: (ctx) => (ctx.mode === 'scale' ? { testFraction: ctx.testFraction, trainSampleBytes: TRAIN_SAMPLE_BYTES } : {}),
  run: async (ctx) => {
    const job = { threads: ctx.threads, isa: ctx.isa, signal: ctx.signal };
    if (ctx.mode === 'study') {
      const r = await evaluate(ctx.model, ctx.corpus, { ...job, onProgress: ctx.onProgress });
      return { trainBpc: r.bpc, testBpc: null, positions: r.positions, isa: r.isa, seconds: r.seconds };
    }
    const split = ctx.corpus.split(ctx.testFraction);
    const trainRanges = sampleRanges(split.train, TRAIN_SAMPLE_BYTES);
    const tr = await evaluate(ctx.model, ctx.corpus, { ...job, ranges: trainRanges, onProgress: (d, t) => ctx.onProgress(0.9 * d / t, 1) });
    const te = await evaluate(ctx.model, ctx.corpus, { ...job, ranges: sampleRanges(split.test, Infinity), onProgress: (d, t) => ctx.onProgress(0.9 + 0.1 * d / t, 1) });
    const trainBytes = trainRanges.reduce((a, [b, e]) => a + e - b, 0);
    return { trainBpc: tr.bpc, trainBytes, testBpc: te.bpc, positions: tr.positions + te.positions, isa: tr.isa, seconds: tr.seconds + te.seconds };
  },
};
