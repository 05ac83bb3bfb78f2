/**
 * The two training recipes of SPEC §1 as plain data, and the seeded initialisation.
 * `study`: the study's definitions on its 1 KB slice (one stream, SGD with a cosine
 * schedule over epochs, keep the best-train-bpc model). `scale`: B streams, Adam, a
 * held-out test split evaluated periodically.
 */
import { Model } from '../model';

export type Recipe = 'study' | 'scale';
export const RECIPES: readonly Recipe[] = ['study', 'scale'];

export interface RecipeDefaults {
  batch: number;
  window: number;
  optimizer: 'sgd' | 'adam';
  schedule: 'constant' | 'cosine';
  lr: number;
  minLr: number;
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
    batch: 1, window: 50, optimizer: 'sgd', schedule: 'cosine', lr: 0.01, minLr: 1e-4, clip: 5,
    epochs: 4000, split: false, trackBest: true, sumLoss: true, partialTail: true,
  },
  scale: {
    batch: 64, window: 50, optimizer: 'adam', schedule: 'constant', lr: 2e-3, minLr: 0, clip: 5,
    epochs: 1, split: true, trackBest: false, sumLoss: false, partialTail: false,
  },
};

export const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

import { mulberry32 } from '../random';

export { mulberry32 };

/**
 * SPEC §1 init: every weight (U[0,1) − 0.5)/128, biases 0. One draw per weight in raw
 * order Wx, Wh, Wy (the biases draw nothing), from mulberry32(seed).
 */
export function initTrainModel(hidden: number, seed: number): Model {
  const m = new Model(hidden);
  const rnd = mulberry32(seed);
  for (const t of [m.Wx, m.Wh, m.Wy]) for (let i = 0; i < t.length; i++) t[i] = (rnd() - 0.5) / 128;
  return m;
}

/**
 * Windows of window+1 bytes at stride `window` in n bytes: 20 for 1024 bytes, or 21 with
 * the partial tail (the study's code also trains the last 23 positions).
 */
export function windowsPerCycle(n: number, window: number, partialTail = false): number {
  if (n < 2) return 0;
  return partialTail ? Math.ceil((n - 1) / window) : Math.floor((n - 1) / window);
}
