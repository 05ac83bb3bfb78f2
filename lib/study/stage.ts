/**
 * One analysis of the study runner: a named step that reads the shared inputs
 * and returns a JSON-serialisable result. The runner caches each result under a key of
 * the inputs' hashes, the stage's options and versions, so adding an analysis is one
 * more entry in `STAGES` (lib/study/stages.ts).
 */
import { Corpus } from '../corpus';
import { Model } from '../model';

export type StudyMode = 'study' | 'scale';

/** What every stage sees. */
export interface StageContext {
  mode: StudyMode;
  corpus: Corpus;
  model: Model;
  threads: number;
  isa?: string;
  /** Scale mode: the test share at the end of the corpus. */
  testFraction: number;
  /** Smaller settings of the scale-mode analyses (tests, quick looks); part of the cache key. */
  tuning: StudyTuning;
  signal?: AbortSignal;
  /** Progress of this stage, in any unit. */
  onProgress: (done: number, total: number) => void;
}

export interface StudyTuning {
  /** φ: sampled positions of the (α, s) grid and of the readout fit, readout epochs, training budget (s). */
  phiGridPositions?: number;
  phiFitPositions?: number;
  phiEpochs?: number;
  phiTrainSeconds?: number;
  /** ψ (scale): positions analysed. */
  psiPositions?: number;
  /** Skip-grams (scale): bytes of train the greedy search runs on; the tables' memory bound. */
  skipgramSelectionBytes?: number;
  skipgramMaxBytes?: number;
  /** Boolean (scale): positions of the ablation; alignment (scale): Jacobian positions, counterfactual samples; errors (scale): Hebbian states, synergy bytes. */
  booleanAblationPositions?: number;
  attributionPositions?: number;
  attributionSamples?: number;
  errorsPositions?: number;
  errorsSynergyBytes?: number;
}

export interface Stage<R = unknown> {
  id: string;
  title: string;
  /** Bump when the stage's result changes meaning: old cache entries are then ignored. */
  version: number;
  /** The options that change the result, part of the cache key. */
  options: (ctx: StageContext) => Record<string, unknown>;
  run: (ctx: StageContext) => Promise<R>;
}

/** A stage whose analysis has not landed yet: listed in the report, never computed. */
export interface PendingStage {
  id: string;
  title: string;
  pending: string;
}

/** What the runner gives every analysis of the model (its own options come from the stage). */
export interface AnalysisJob {
  mode: StudyMode;
  threads: number;
  isa?: string;
  signal?: AbortSignal;
  onProgress: (done: number, total: number) => void;
}

/**
 * A stage that is one analysis of the model on the corpus: study mode with the analysis's own
 * study settings, scale mode with `scale(ctx)`, which are also the cache key's options.
 */
export function analysisStage<R, O extends AnalysisJob>(id: string, title: string,
  scale: (ctx: StageContext) => Record<string, unknown>, analysis: (model: Model, corpus: Corpus, opts: O) => Promise<R>): Stage<R> {
  const options = (ctx: StageContext): Record<string, unknown> => (ctx.mode === 'scale' ? scale(ctx) : {});
  return {
    id, title, version: 1, options,
    run: (ctx) => analysis(ctx.model, ctx.corpus, {
      mode: ctx.mode, threads: ctx.threads, isa: ctx.isa, signal: ctx.signal, onProgress: ctx.onProgress, ...options(ctx),
    } as O),
  };
}
