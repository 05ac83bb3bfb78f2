/**
 * Stage "errors": the three sources of error (first-order, pairwise, Boolean) — Hebbian 1 − r², pairwise synergy,
 * sign-only vs full bpc. Scale mode: errorSources()'s defaults on the train/test split.
 */
import { errorSources } from '../error-sources';
import { analysisStage } from './stage';

export const errorsStage = analysisStage('errors', 'Three sources of error',
  (ctx) => ({ testFraction: ctx.testFraction, positions: ctx.tuning.errorsPositions, synergyBytes: ctx.tuning.errorsSynergyBytes }), errorSources);
