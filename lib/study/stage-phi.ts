/** Stage "phi": every weight constructed from counts (SPEC §2), beside training (scale mode). */
import { construct, constructResultJson } from '../phi';
import { Stage } from './stage';

export type PhiStageResult = ReturnType<typeof constructResultJson>;

export const phiStage: Stage<PhiStageResult> = {
  id: 'phi',
  title: 'φ: weights from counts',
  version: 1,
  options: (ctx) => (ctx.mode === 'scale' ? { testFraction: ctx.testFraction, trainSeconds: ctx.trainSeconds } : {}),
  run: async (ctx) => {
    const r = await construct(ctx.corpus, {
      mode: ctx.mode, threads: ctx.threads, isa: ctx.isa, signal: ctx.signal, onProgress: ctx.onProgress,
      ...(ctx.mode === 'scale' ? { testFraction: ctx.testFraction, trained: true, trainSeconds: ctx.trainSeconds } : {}),
    });
    return constructResultJson(r);
  },
};
