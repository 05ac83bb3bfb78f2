/** Stage "phi": every weight constructed from counts (hashed shift register, Wy from sign-conditioned log-odds), beside training (scale mode). */
import { construct, constructResultJson } from '../phi';
import { Stage } from './stage';
import { TRAIN_SAMPLE_BYTES } from './stage-eval';

export type PhiStageResult = ReturnType<typeof constructResultJson>;

export const phiStage: Stage<PhiStageResult> = {
  id: 'phi',
  title: 'φ: weights from counts',
  version: 2,
  options: (ctx) => {
    const t = ctx.tuning;
    return ctx.mode === 'scale'
      ? { testFraction: ctx.testFraction, grid: t.phiGridPositions, fit: t.phiFitPositions, epochs: t.phiEpochs, trainSeconds: t.phiTrainSeconds, evalBytes: TRAIN_SAMPLE_BYTES }
      : { epochs: t.phiEpochs };
  },
  run: async (ctx) => {
    const r = await construct(ctx.corpus, {
      mode: ctx.mode, threads: ctx.threads, isa: ctx.isa, signal: ctx.signal, onProgress: ctx.onProgress, epochs: ctx.tuning.phiEpochs,
      // scale: training beside the constructions, by default for the constructions' own wall-clock
      ...(ctx.mode === 'scale' ? {
        testFraction: ctx.testFraction, trained: true, trainSeconds: ctx.tuning.phiTrainSeconds,
        gridPositions: ctx.tuning.phiGridPositions, fitPositions: ctx.tuning.phiFitPositions, evalBytes: TRAIN_SAMPLE_BYTES,
      } : {}),
    });
    return constructResultJson(r);
  },
};
