/**
 * Evaluation: bpc of one or more byte ranges, each run from h = 0 — the mean over t of
 * −log2 p(x_{t+1} | x_0 … x_t), p floored at 1e-30.
 * Several ranges run as a multi-stream batch (the streams are the GEMM's rows).
 */
import { Corpus, checkRange } from './corpus';
import { ErrorCodes, fail } from './errors';
import { JobOptions, runJob } from './jobs';
import { Model } from './model';
import { native } from './native';
import { checkIsa, checkOptions, checkThreads, shown } from './validate';

export interface EvaluateOptions extends JobOptions {
  /** Byte ranges [begin, end), each scored from h = 0; default: the whole corpus. */
  ranges?: Array<[number, number]>;
  /** Worker threads (default 1). */
  threads?: number;
  /** Kernel ISA (default: the best this CPU runs, or BI_FORCE_ISA). */
  isa?: string;
  /** Also return −log2 p for every scored position (ranges concatenated). */
  losses?: boolean;
}

export interface RangeResult {
  begin: number;
  end: number;
  bpc: number;
  positions: number;
}

export interface EvaluateResult {
  /** Mean −log2 p(x_{t+1}) over all scored positions (p floored at 1e-30). */
  bpc: number;
  positions: number;
  bits: number;
  ranges: RangeResult[];
  losses?: Float32Array;
  isa: string;
  threads: number;
  seconds: number;
  bytesPerSecond: number;
}

/** Splits [begin, end) into `streams` contiguous ranges of (nearly) equal length. */
export function splitRange(range: [number, number], streams: number): Array<[number, number]> {
  const [a, b] = range;
  if (!Number.isInteger(streams) || streams < 1 || (b - a) / streams < 2) {
    fail(ErrorCodes.OPTION, `cannot split ${b - a} bytes into ${streams} streams of ≥ 2 bytes`);
  }
  const out: Array<[number, number]> = [];
  for (let i = 0; i < streams; i++) {
    out.push([a + Math.floor(((b - a) * i) / streams), a + Math.floor(((b - a) * (i + 1)) / streams)]);
  }
  return out;
}

/**
 * `bytes` of `range` as `streams` evenly spaced ranges, each scored from h = 0 (the first
 * `bytes / streams` of each of `streams` equal parts); the whole range split into up to `streams`
 * streams of ≥ 64 KiB when it is not longer than `bytes`. Long ranges' bpc is then a sample.
 */
export function sampleRanges(range: [number, number], bytes: number, streams = 64): Array<[number, number]> {
  const n = range[1] - range[0];
  if (n <= bytes) {
    const k = Math.max(1, Math.min(streams, Math.floor(n / 65536)));
    return k === 1 ? [range] : splitRange(range, k);
  }
  const len = Math.floor(bytes / streams), step = Math.floor(n / streams);
  return Array.from({ length: streams }, (_, i): [number, number] => [range[0] + i * step, range[0] + i * step + len]);
}

/** The model and corpus arguments of a pass: E_OPTION for anything else (a path, null). */
export function checkModelCorpus(model: unknown, corpus: unknown): void {
  if (!(model instanceof Model)) fail(ErrorCodes.OPTION, `model must be a Model (see loadModel), got ${shown(model)}`);
  if (!(corpus instanceof Corpus)) fail(ErrorCodes.OPTION, `corpus must be a Corpus (see Corpus.open), got ${shown(corpus)}`);
}

export async function evaluate(model: Model, corpus: Corpus, options?: EvaluateOptions): Promise<EvaluateResult> {
  checkModelCorpus(model, corpus);
  const opts = checkOptions('evaluate', options);
  if (opts.ranges !== undefined && !Array.isArray(opts.ranges)) fail(ErrorCodes.RANGE, `ranges must be an array of [begin, end) pairs, got ${shown(opts.ranges)}`);
  const ranges = (opts.ranges ?? [[0, corpus.size]]).map((r) => checkRange(corpus, r));
  if (ranges.length === 0) fail(ErrorCodes.RANGE, 'no ranges to evaluate');
  const threads = checkThreads(opts.threads);
  const isa = checkIsa(opts.isa);
  const positions = ranges.reduce((s, [a, b]) => s + b - a - 1, 0);
  const losses = opts.losses ? new Float32Array(positions) : undefined;
  const flat = new Float64Array(ranges.flat());

  const t0 = process.hrtime.bigint();
  const r = await runJob(opts, (cancel, onProgress) =>
    native().evaluate(model.params, model.hidden, corpus.bytes, flat, { isa, threads, losses }, cancel, onProgress),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  return {
    bpc: r.totalBits / r.totalPositions,
    positions: r.totalPositions,
    bits: r.totalBits,
    ranges: ranges.map(([begin, end], i) => ({ begin, end, bpc: r.bits[i] / r.positions[i], positions: r.positions[i] })),
    losses,
    isa: r.isa,
    threads,
    seconds,
    bytesPerSecond: r.totalPositions / seconds,
  };
}
