/** Stage "eval": the model's bpc (one pass from h = 0, mean −log2 p of each next byte), whole corpus in study mode, train and test in scale mode. */
import { evaluate, splitRange } from '../evaluate';
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
 */
export const TRAIN_SAMPLE_BYTES = 16 << 20;

/** Long ranges are scored as up to 64 streams, each from h = 0 (the split is stated in docs/study.md). */
function ranges(range: [number, number]): Array<[number, number]> {
  const streams = Math.max(1, Math.min(64, Math.floor((range[1] - range[0]) / 65536)));
  return streams === 1 ? [range] : splitRange(range, streams);
}

/** `bytes` of `range` in 64 evenly spaced streams (the whole range, split, when it is not larger). */
function sample(range: [number, number], bytes: number): Array<[number, number]> {
  const n = range[1] - range[0];
  if (n <= bytes) return ranges(range);
  const streams = 64, len = Math.floor(bytes / streams), step = Math.floor(n / streams);
  return Array.from({ length: streams }, (_, i): [number, number] => [range[0] + i * step, range[0] + i * step + len]);
}

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
    const trainRanges = sample(split.train, TRAIN_SAMPLE_BYTES);
    const tr = await evaluate(ctx.model, ctx.corpus, { ...job, ranges: trainRanges, onProgress: (d, t) => ctx.onProgress(0.9 * d / t, 1) });
    const te = await evaluate(ctx.model, ctx.corpus, { ...job, ranges: ranges(split.test), onProgress: (d, t) => ctx.onProgress(0.9 + 0.1 * d / t, 1) });
    const trainBytes = trainRanges.reduce((a, [b, e]) => a + e - b, 0);
    return { trainBpc: tr.bpc, trainBytes, testBpc: te.bpc, positions: tr.positions + te.positions, isa: tr.isa, seconds: tr.seconds + te.seconds };
  },
};
