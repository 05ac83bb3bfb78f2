/**
 * Stage "alignment": temporal attribution α(t, d) (how much byte x_{s−d} moves −log2 p(x_s)) and PMI alignment (the share of |α| where PMI_d > 0.5) — Jacobian and
 * counterfactual α(t, d), the alignment curve over d, shallow vs deep. Scale mode: PMI from
 * train, attribution on the test split with attribute()'s sampling defaults.
 */
import { AttributionResult, attribute } from '../attribution';
import { Stage, StageContext } from './stage';

const scaleOptions = (ctx: StageContext): Record<string, unknown> =>
  ({ testFraction: ctx.testFraction, positions: ctx.tuning.attributionPositions, samples: ctx.tuning.attributionSamples });

export const attributionStage: Stage<AttributionResult> = {
  id: 'alignment',
  title: 'Temporal attribution and PMI alignment',
  version: 1,
  options: (ctx) => (ctx.mode === 'scale' ? scaleOptions(ctx) : {}),
  run: (ctx) => attribute(ctx.model, ctx.corpus, {
    mode: ctx.mode, threads: ctx.threads, isa: ctx.isa, signal: ctx.signal, onProgress: ctx.onProgress,
    ...(ctx.mode === 'scale' ? scaleOptions(ctx) : {}),
  }),
};
