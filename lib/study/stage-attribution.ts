/**
 * Stage "alignment": temporal attribution α(t, d) (how much byte x_{s−d} moves −log2 p(x_s)) and PMI alignment (the share of |α| where PMI_d > 0.5) — Jacobian and
 * counterfactual α(t, d), the alignment curve over d, shallow vs deep. Scale mode: PMI from
 * train, attribution on the test split with attribute()'s sampling defaults.
 */
import { attribute } from '../attribution';
import { analysisStage } from './stage';

export const attributionStage = analysisStage('alignment', 'Temporal attribution and PMI alignment',
  (ctx) => ({ testFraction: ctx.testFraction, positions: ctx.tuning.attributionPositions, samples: ctx.tuning.attributionSamples }), attribute);
