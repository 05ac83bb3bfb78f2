/**
 * The two training recipes (docs/definitions.md, training) as plain data, and the seeded initialisation.
 * `study`: the study's definitions on its 1 KB slice (one stream, SGD with a cosine
 * schedule over epochs, keep the best-train-bpc model). `scale`: B streams, Adam, a
 * held-out test split evaluated periodically; its initialisation, schedule and rates were
 * chosen by the ablation in docs/training.md (scripts/bench/ablate.js).
 */
import { Model } from '../model';
import { InitScheme, initModel } from './init';

export type { InitScheme } from './init';
export { INIT_SCHEMES } from './init';
export type ScheduleName = 'constant' | 'cosine' | 'warmup-cosine';

export type Recipe = 'study' | 'scale';
export const RECIPES: readonly Recipe[] = ['study', 'scale'];

export interface RecipeDefaults {
  batch: number;
  window: number;
  optimizer: 'sgd' | 'adam';
  /** cosine: the study's, over epochs; warmup-cosine: linear warm-up, then a cosine to minLr at the end of the run's budget. */
  schedule: ScheduleName;
  init: InitScheme;
  lr: number;
  minLr: number;
  /** warmup-cosine: warm-up steps (at most a tenth of a known budget). */
  warmup: number;
  /** warmup-cosine: the share of the steps after the warm-up that the cosine decay takes (constant lr before it). */
  decay: number;
  clip: number;
  /** Default duration in epochs (study: cycles of the one stream; scale: passes over train). */
  epochs: number;
  /** Study: whole corpus in-sample; scale: contiguous train/test split. */
  split: boolean;
  /** Keep the model of the epoch with the best mean training loss (the study's train bpc). */
  trackBest: boolean;
  /** Gradient of the window's summed loss (study) rather than the mean over B·T positions. */
  sumLoss: boolean;
  /** A last, shorter window covers the positions left at the end of the range (study, one stream). */
  partialTail: boolean;
}

export const RECIPE_DEFAULTS: Readonly<Record<Recipe, RecipeDefaults>> = {
  study: {
    batch: 1, window: 50, optimizer: 'sgd', schedule: 'cosine', init: 'study', lr: 0.01, minLr: 1e-4, warmup: 0, decay: 1, clip: 5,
    epochs: 4000, split: false, trackBest: true, sumLoss: true, partialTail: true,
  },
  scale: {
    batch: 64, window: 50, optimizer: 'adam', schedule: 'warmup-cosine', init: 'pytorch', lr: 5e-3, minLr: 0, warmup: 100, decay: 0.2, clip: 1,
    epochs: 1, split: true, trackBest: false, sumLoss: false, partialTail: false,
  },
};

export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

import { mulberry32 } from '../random';

export { mulberry32 };

/**
 * A recipe's initialisation from mulberry32(seed) (lib/train/init.ts). The default, the
 * study's init: every weight (U[0,1) − 0.5)/128, biases 0, one draw per weight in raw order.
 */
export function initTrainModel(hidden: number, seed: number, scheme: InitScheme = 'study'): Model {
  return initModel(hidden, seed, scheme);
}

/**
 * Windows of window+1 bytes at stride `window` in n bytes: 20 for 1024 bytes, or 21 with
 * the partial tail (the study's code also trains the last 23 positions).
 */
export function windowsPerCycle(n: number, window: number, partialTail = false): number {
  if (n < 2) return 0;
  return partialTail ? Math.ceil((n - 1) / window) : Math.floor((n - 1) / window);
}
