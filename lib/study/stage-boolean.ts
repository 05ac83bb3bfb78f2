/**
 * Stage "boolean": the network as a Boolean automaton (σ_t = 1[h_t ≥ 0]) — sign vectors under the true
 * and sign-only dynamics, margins, neuron ablation. Scale mode: the test split with
 * booleanStructure's own defaults (64 streams, ablation over the first 2^15 positions).
 */
import { BooleanResult, booleanStructure } from '../boolean';
import { Stage } from './stage';

export const booleanStage: Stage<BooleanResult> = {
  id: 'boolean',
  title: 'Boolean structure',
  version: 1,
  options: (ctx) => (ctx.mode === 'scale' ? { testFraction: ctx.testFraction, ablationPositions: ctx.tuning.booleanAblationPositions } : {}),
  run: (ctx) => booleanStructure(ctx.model, ctx.corpus, {
    mode: ctx.mode, threads: ctx.threads, isa: ctx.isa, signal: ctx.signal, onProgress: ctx.onProgress,
    ...(ctx.mode === 'scale' ? { testFraction: ctx.testFraction, ablationPositions: ctx.tuning.booleanAblationPositions } : {}),
  }),
};
