/** Stage "psi": every ψ analysis (reading a trained model: Wx norms, Hebbian fit, factor map, read-back) plus the points of the Hebbian scatter the report draws. */
import { ReadResult, readModel } from '../psi';
import { hebbianMatrices } from '../psi/hebbian';
import { captureTrajectory } from '../trajectory';
import { Stage, StageContext } from './stage';

/** Scatter points: every SCATTER_STRIDE-th Wh entry (2,048 of 16,384 at H = 128). */
const SCATTER_STRIDE = 8;
/** Scale mode: the scatter's covariance over the first positions of train (the full estimate is in `read.hebbian`). */
const SCATTER_POSITIONS = 1 << 16;

export interface PsiStageResult {
  read: ReadResult;
  /** Wh[i][j] against C[i][j] for a strided sample of entries, over `states`. */
  hebbianScatter: { states: [number, number]; stride: number; points: Array<[number, number]> };
}

async function scatter(ctx: StageContext): Promise<PsiStageResult['hebbianScatter']> {
  const end = ctx.mode === 'study' ? ctx.corpus.size : Math.min(ctx.corpus.split(ctx.testFraction).train[1], SCATTER_POSITIONS);
  const t = await captureTrajectory(ctx.model, ctx.corpus, { range: [0, end], capture: ['hidden'], isa: ctx.isa, signal: ctx.signal });
  const m = await hebbianMatrices(ctx.model, ctx.corpus, { trajectory: t, begin: 0, end }, { isa: ctx.isa, signal: ctx.signal });
  const points: Array<[number, number]> = [];
  for (let i = 0; i < ctx.model.Wh.length; i += SCATTER_STRIDE) points.push([ctx.model.Wh[i], m.C[i]]);
  return { states: [0, end], stride: SCATTER_STRIDE, points };
}

export const psiStage: Stage<PsiStageResult> = {
  id: 'psi',
  title: 'ψ: reading the model',
  version: 1,
  options: (ctx) => (ctx.mode === 'scale' ? { testFraction: ctx.testFraction, positions: ctx.tuning.psiPositions } : {}),
  run: async (ctx) => {
    const read = await readModel(ctx.model, ctx.corpus, {
      mode: ctx.mode, threads: ctx.threads, isa: ctx.isa, signal: ctx.signal, onProgress: ctx.onProgress,
      ...(ctx.mode === 'scale' ? { testFraction: ctx.testFraction, positions: ctx.tuning.psiPositions } : {}),
    });
    return { read, hebbianScatter: await scatter(ctx) };
  },
};
