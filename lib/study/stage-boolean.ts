/**
 * Stage "boolean": the network as a Boolean automaton (σ_t = 1[h_t ≥ 0]) — sign vectors under the true
 * and sign-only dynamics, margins, neuron ablation. Scale mode: the test split with
 * booleanStructure's own defaults (64 streams, ablation over the first 2^15 positions).
 */
import { booleanStructure } from '../boolean';
import { analysisStage } from './stage';

export const booleanStage = analysisStage('boolean', 'Boolean structure',
  (ctx) => ({ testFraction: ctx.testFraction, ablationPositions: ctx.tuning.booleanAblationPositions }), booleanStructure);
