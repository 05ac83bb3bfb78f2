/**
 * What a training run allocates, estimated before it starts (as captureTrajectory does for its
 * captures) so a run too big for the machine is refused with E_MEMORY_LIMIT at once instead of
 * failing, or being killed, after it has started. The terms follow native/src/train.cc and
 * WindowBuffers (native/include/bi/rnn.h); the JS state arrays are counted too.
 */
import { paramCount } from '../model';

export const DEFAULT_TRAIN_MAX_BYTES = 2 ** 31;
const VOCAB = 256;
const OUTPUT_ROWS = 256; // the readout chunk of window_backward

export interface TrainShape {
  hidden: number;
  batch: number;
  window: number;
  threads: number;
  /** Adam moments, best-parameter copy. */
  adam: boolean;
  trackBest: boolean;
}

/** Bytes a run of this shape holds at its peak (scripts/train-memory.js compares it with the process's RSS). */
export function trainMemoryBytes(s: TrainShape): number {
  const n = paramCount(s.hidden);
  const H = s.hidden, B = s.batch, T = s.window;
  const groups = Math.min(s.threads, B);
  const stateFloats = n * (1 + (s.adam ? 2 : 0) + (s.trackBest ? 1 : 0)) + B * H; // JS: params, m, v, best, hidden
  const weightFloats = 6 * (n + 64 * (H + VOCAB)) + n; // rearranged and padded weight copies, layout scratch
  // Per group: its gradient, and window buffers for its share of the streams: hs (T+1)·c·H,
  // dz and dh T·c·H each, dnext and h c·H each, one readout chunk; its inputs and targets.
  const windowFloats = B * H * (3 * T + 3) + groups * (n + OUTPUT_ROWS * VOCAB);
  const windowBytes = B * T * (8 + 2);
  return 4 * (stateFloats + weightFloats + windowFloats) + windowBytes;
}
