/**
 * Best state feature per neuron (docs/definitions.md, ψ): in-sample R² of the cell means of
 * h_j given (x_t, f_t) for each state feature f; the best feature per neuron and how many
 * neurons each feature wins (ties to the earlier feature, in the study's order).
 */
import { Corpus } from '../corpus';
import { JobOptions, runJob } from '../jobs';
import { native } from '../native';
import { StateRange, argmax, nativeRows } from './rows';
import { mean } from './factor-map';

/** The study's order (native/include/bi/psi.h StateFeature). */
export const STATE_FEATURES = ['char_class', 'in_tag', 'word_len', 'prev_class', 'after_space', 'tag_depth', 'last_nonspace_class', 'pos_mod8'] as const;
export type StateFeatureName = (typeof STATE_FEATURES)[number];

export interface StateFeatureReport {
  positions: [number, number];
  /** Mean over neurons of R² given x_t alone. */
  meanByteR2: number;
  /** Mean over neurons of R² given (x_t, f_t), per feature. */
  meanR2: Record<StateFeatureName, number>;
  /** Mean over neurons of their best feature's R². */
  meanBestR2: number;
  /** Neurons won by each feature (features winning none are listed with 0). */
  wins: Record<StateFeatureName, number>;
  best: Array<{ neuron: number; feature: StateFeatureName; r2: number; byteR2: number }>;
}

export async function stateFeatureMap(corpus: Corpus, rows: StateRange, opts: JobOptions = {}): Promise<StateFeatureReport> {
  const H = rows.trajectory.hidden;
  const n = nativeRows(corpus, rows, 0, 'state features');
  const r = await runJob(opts, (cancel, onProgress) => native().featureMap(corpus.bytes, H, n, cancel, onProgress));
  const F = STATE_FEATURES.length;
  const best = Array.from({ length: H }, (_, j) => {
    const f = argmax(F, (k) => r.r2[k * H + j]);
    return { neuron: j, feature: STATE_FEATURES[f], r2: r.r2[f * H + j], byteR2: r.byteR2[j] };
  });
  const meanR2 = {} as Record<StateFeatureName, number>;
  const wins = {} as Record<StateFeatureName, number>;
  STATE_FEATURES.forEach((name, k) => {
    meanR2[name] = mean(Array.from(r.r2.subarray(k * H, (k + 1) * H)));
    wins[name] = best.filter((b) => b.feature === name).length;
  });
  return {
    positions: [rows.begin, rows.end], meanByteR2: mean(Array.from(r.byteR2)), meanR2,
    meanBestR2: mean(best.map((b) => b.r2)), wins, best,
  };
}
