/** Stage "eval": the model's bpc (one pass from h = 0, mean −log2 p of each next byte), whole corpus in study mode, train and test in scale mode. */
import { evaluate, splitRange } from '../evaluate';
import { Stage } from './stage';

export interface EvalStageResult {
  /** Study: the whole corpus; scale: the train split. */
  trainBpc: number;
  testBpc: number | null;
  positions: number;
  isa: string;
  seconds: number;
}

/** Long ranges are scored as up to 64 streams, each from h = 0 (the split is stated in docs/study.md). */
function ranges(range: [number, number]): Array<[number, number]> {
  const streams = Math.max(1, Math.min(64, Math.floor((range[1] - range[0]) / 65536)));
  return streams === 1 ? [range] : splitRange(range, streams);
}

export const evalStage: Stage<EvalStageResult> = {
  id: 'eval',
  title: 'bpc of the model',
  version: 1,
  options: (ctx) => (ctx.mode === 'scale' ? { testFraction: ctx.testFraction } : {}),
  run: async (ctx) => {
    const job = { threads: ctx.threads, isa: ctx.isa, signal: ctx.signal };
    if (ctx.mode === 'study') {
      const r = await evaluate(ctx.model, ctx.corpus, { ...job, onProgress: ctx.onProgress });
      return { trainBpc: r.bpc, testBpc: null, positions: r.positions, isa: r.isa, seconds: r.seconds };
    }
    const split = ctx.corpus.split(ctx.testFraction);
    const tr = await evaluate(ctx.model, ctx.corpus, { ...job, ranges: ranges(split.train), onProgress: (d, t) => ctx.onProgress(0.9 * d / t, 1) });
    const te = await evaluate(ctx.model, ctx.corpus, { ...job, ranges: ranges(split.test), onProgress: (d, t) => ctx.onProgress(0.9 + 0.1 * d / t, 1) });
    return { trainBpc: tr.bpc, testBpc: te.bpc, positions: tr.positions + te.positions, isa: tr.isa, seconds: tr.seconds + te.seconds };
  },
};
