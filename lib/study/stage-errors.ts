/**
 * Stage "errors": the three sources of error (first-order, pairwise, Boolean) — Hebbian 1 − r², pairwise synergy,
 * sign-only vs full bpc. Scale mode: errorSources()'s defaults on the train/test split.
 */
import { ErrorSourcesResult, errorSources } from '../error-sources';
import { Stage, StageContext } from './stage';

const scaleOptions = (ctx: StageContext): Record<string, unknown> =>
  ({ testFraction: ctx.testFraction, positions: ctx.tuning.errorsPositions, synergyBytes: ctx.tuning.errorsSynergyBytes });

export const errorsStage: Stage<ErrorSourcesResult> = {
  id: 'errors',
  title: 'Three sources of error',
  version: 1,
  options: (ctx) => (ctx.mode === 'scale' ? scaleOptions(ctx) : {}),
  run: (ctx) => errorSources(ctx.model, ctx.corpus, {
    mode: ctx.mode, threads: ctx.threads, isa: ctx.isa, signal: ctx.signal, onProgress: ctx.onProgress,
    ...(ctx.mode === 'scale' ? scaleOptions(ctx) : {}),
  }),
};
