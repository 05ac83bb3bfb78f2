/**
 * Trajectory: what one forward pass over a range leaves behind, read by the analyses
 * (Hebbian estimates, factor map, sign vectors, margins, read-back). Its memory is
 * computed before the pass and bounded by `maxBytes`.
 */
import { Corpus, checkRange } from './corpus';
import { ErrorCodes, fail } from './errors';
import { JobOptions, runJob } from './jobs';
import { Model } from './model';
import { native } from './native';
import { checkModelCorpus } from './evaluate';
import { checkByteLimit, checkIsa, checkOptions, shown } from './validate';

export type CaptureKind = 'hidden' | 'preact' | 'signs';
export const DEFAULT_TRAJECTORY_MAX_BYTES = 2 ** 31;

export interface TrajectoryOptions extends JobOptions {
  /** [begin, end): states h_t for t = begin … end−1 (default: the whole corpus). */
  range?: [number, number];
  capture: CaptureKind[];
  /** Upper bound on the captured arrays' total size (default 2 GiB). */
  maxBytes?: number;
  /** Also keep −log2 p per scored position. */
  losses?: boolean;
  isa?: string;
}

export interface Trajectory {
  hidden: number;
  begin: number;
  end: number;
  /** Number of states: end − begin. Row s of each array is h_{begin+s}. */
  steps: number;
  /** steps × H, row-major. */
  states?: Float32Array;
  /** steps × H pre-activations z_t. */
  preacts?: Float32Array;
  /** steps × ceil(H/8): bit j%8 of byte j/8 is 1[h_j ≥ 0]. */
  signs?: Uint8Array;
  losses?: Float32Array;
  /** bpc over t = begin … end−2. */
  bpc: number;
  /** Bytes held by the captured arrays. */
  bytes: number;
}

/** Bytes a capture of `steps` states needs. */
export function trajectoryBytes(hidden: number, steps: number, kinds: CaptureKind[]): number {
  const per = kinds.reduce((s, k) => s + (k === 'signs' ? Math.ceil(hidden / 8) : 4 * hidden), 0);
  return per * steps;
}

export async function captureTrajectory(model: Model, corpus: Corpus, options: TrajectoryOptions): Promise<Trajectory> {
  checkModelCorpus(model, corpus);
  const opts = checkOptions('captureTrajectory', options);
  if (!Array.isArray(opts.capture)) fail(ErrorCodes.OPTION, `capture must list some of hidden|preact|signs, got ${shown(opts.capture)}`);
  const [begin, end] = checkRange(corpus, opts.range ?? [0, corpus.size]);
  const kinds = [...new Set(opts.capture)];
  if (kinds.length === 0 || kinds.some((k) => !['hidden', 'preact', 'signs'].includes(k))) {
    fail(ErrorCodes.OPTION, `capture must list some of hidden|preact|signs, got ${JSON.stringify(opts.capture)}`);
  }
  const isa = checkIsa(opts.isa);
  const H = model.hidden;
  const steps = end - begin;
  const bytes = trajectoryBytes(H, steps, kinds);
  const maxBytes = checkByteLimit('maxBytes', opts.maxBytes, DEFAULT_TRAJECTORY_MAX_BYTES);
  if (bytes > maxBytes) {
    fail(ErrorCodes.MEMORY_LIMIT, `capturing ${kinds.join('+')} for ${steps} steps at H=${H} needs ${bytes} bytes, over maxBytes=${maxBytes}; capture a shorter range`);
  }
  const capture = {
    hidden: kinds.includes('hidden') ? new Float32Array(steps * H) : undefined,
    preact: kinds.includes('preact') ? new Float32Array(steps * H) : undefined,
    signs: kinds.includes('signs') ? new Uint8Array(steps * Math.ceil(H / 8)) : undefined,
  };
  const losses = opts.losses ? new Float32Array(steps - 1) : undefined;
  const r = await runJob(opts, (cancel, onProgress) =>
    native().evaluate(model.params, H, corpus.bytes, new Float64Array([begin, end]),
      { isa, threads: 1, losses, captures: [capture] }, cancel, onProgress),
  );
  return {
    hidden: H, begin, end, steps,
    states: capture.hidden, preacts: capture.preact, signs: capture.signs, losses,
    bpc: r.totalBits / r.totalPositions, bytes,
  };
}
