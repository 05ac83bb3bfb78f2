/**
 * The raw addon, privately typed. Public code goes through the classes in this folder,
 * which validate inputs before anything crosses into C++.
 */
import * as path from 'node:path';
import { markAsUntransferable } from 'node:worker_threads';
import { BiEmbedError, ErrorCodes } from './errors';
import { loadAddon } from './loader';

export type ProgressCallback = (done: number, total: number) => void;

export interface NativeCapture {
  hidden?: Float32Array;
  preact?: Float32Array;
  signs?: Uint8Array;
  /** Per prediction (end − begin − 1 bytes): the RNN's guess for the next byte. */
  argmax?: Uint8Array;
}

export interface NativeEvalOptions {
  isa?: string;
  threads: number;
  losses?: Float32Array;
  captures?: NativeCapture[];
}

export interface NativeEvalResult {
  bits: Float64Array;
  positions: Float64Array;
  totalBits: number;
  totalPositions: number;
  isa: string;
}

export interface NativeInfo {
  isa: string | null;
  isaError?: string;
  isas: string[];
  hardwareThreads: number;
}

// ───── train module (lib/train) ─────
export interface NativeTrainState {
  params: Float32Array;
  m?: Float32Array;
  v?: Float32Array;
  hidden: Float32Array;
  best?: Float32Array;
  /** [step, bestBpc, bestStep, cycleNats, cyclePositions], updated in place. */
  counters: Float64Array;
}

export interface NativeTrainConfig {
  isa?: string;
  hidden: number;
  streams: number;
  window: number;
  threads: number;
  optimizer: 'sgd' | 'adam';
  schedule: 'constant' | 'cosine' | 'warmup-cosine';
  lr: number;
  minLr: number;
  epochs: number;
  /** warmup-cosine: linear warm-up steps, the step where the cosine starts, and where it reaches minLr. */
  warmup?: number;
  decayStart?: number;
  horizon?: number;
  beta1: number;
  beta2: number;
  eps: number;
  clip: number;
  begin: number;
  end: number;
  trackBest: boolean;
  sumLoss: boolean;
  partialTail: boolean;
  nanAtStep: number;
}

export interface NativeTrainRunResult {
  steps: number;
  nats: number;
  positions: number;
  lastGradNorm: number;
  lastLr: number;
  lastCycleBpc: number;
  cancelled: boolean;
  isa: string;
}
// ───── end train module ─────

// ---- read module (ψ): bindings/read_binding.cc ----
/** Positions t ∈ [begin, end) of a trajectory whose row 0 (of `states`, steps × H) is h_first. */
export interface NativeRows {
  states: Float32Array;
  first: number;
  begin: number;
  end: number;
}
export interface NativeFactorMap {
  pairLag1: Float64Array;
  pairLag2: Float64Array;
  /** pairs × H */
  pairR2: Float64Array;
  /** lags × H */
  singleR2: Float64Array;
  pairCells: Float64Array;
  pairUnseen: Float64Array;
  peakCellBytes: number;
}
export interface NativeFeatureMap {
  /** features × H */
  r2: Float64Array;
  byteR2: Float64Array;
}
export interface NativeHebbian {
  mean: Float64Array;
  C: Float64Array;
  Cx: Float64Array;
  Cy: Float64Array;
  countX: Float64Array;
  countY: Float64Array;
}
export interface NativeReadback {
  bpc: Float64Array;
  /** 3 levels × 4 depths (own key, coarser level, lag-1 cell, fit mean), neuron-positions */
  resolved: Float64Array;
  bpcRnn: number;
  h0: number;
  positions: number;
}
export interface NativeRead {
  factorMap(data: Uint8Array, hidden: number, fit: NativeRows, score: NativeRows, lags: Int32Array, threads: number,
    cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined): Promise<NativeFactorMap>;
  featureMap(data: Uint8Array, hidden: number, rows: NativeRows,
    cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined): Promise<NativeFeatureMap>;
  hebbian(data: Uint8Array, hidden: number, rows: NativeRows, isa: string | undefined,
    cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined): Promise<NativeHebbian>;
  readback(params: Float32Array, hidden: number, data: Uint8Array, fit: NativeRows, score: NativeRows, partner: Int32Array,
    isa: string | undefined, cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined): Promise<NativeReadback>;
}
// ---- end read module ----

// ---- boolean module (Boolean structure, attribution): bindings/boolean_binding.cc ----
export interface NativeSignVectorOptions {
  isa?: string;
  threads: number;
  signOnly: boolean;
  streams: number;
  maxMemory: number;
  score: boolean;
}
export interface NativeMargins {
  count: number;
  mean: number;
  median: number;
  medianExact: boolean;
  below1: number;
  below01: number;
  histogram: Float64Array;
  /** Lower edges of the histogram's bins; the last bin is unbounded. */
  edges: Float64Array;
}
export interface NativeSignVectors {
  positions: number;
  bits: number;
  transitions: number;
  estimated: boolean;
  distinct: number;
  keys: number;
  exactPositions: number;
  exactTransitions: number;
  exactDistinct: number;
  exactKeys: number;
  deterministicKeys: number;
  deterministicTransitions: number;
  entropy: number;
  topCounts: Float64Array;
  peakTableBytes: number;
  margins: NativeMargins;
}
export interface NativeAblation {
  positions: number;
  baseBits: number;
  signReadoutBits: number;
  knockoutBits: Float64Array;
  keepBits: Float64Array;
}
export interface NativeAttributionOptions {
  isa?: string;
  threads: number;
  maxOffset: number;
}
export interface NativeJacobian {
  positions: number;
  count: Float64Array;
  sum: Float64Array;
  absSum: Float64Array;
  alignedAbs: Float64Array;
}
export interface NativeBoolean {
  signVectors(params: Float32Array, hidden: number, data: Uint8Array, begin: number, end: number, options: NativeSignVectorOptions,
    cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined): Promise<NativeSignVectors>;
  ablation(params: Float32Array, hidden: number, data: Uint8Array, ranges: Float64Array, options: { isa?: string; threads: number },
    cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined): Promise<NativeAblation>;
  counterfactual(params: Float32Array, hidden: number, data: Uint8Array, rows: NativeRows, positions: Float64Array,
    options: NativeAttributionOptions, cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined,
  ): Promise<{ alpha: Float64Array; bits: Float64Array }>;
  jacobianAttribution(params: Float32Array, hidden: number, data: Uint8Array, rows: NativeRows,
    options: NativeAttributionOptions & { alpha?: Float32Array; aligned?: Uint8Array },
    cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined): Promise<NativeJacobian>;
  pmiTables(data: Uint8Array, begin: number, end: number, offsets: Int32Array, out: Float32Array,
    cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined): Promise<void>;
}
// ---- end boolean module ----

// ───── construct module (lib/phi) ─────
/** φ counts as exact Float64Arrays; see native/include/bi/construct.h. */
export interface NativePhiCounts {
  n: number;
  /** [256] count(o) over the fitting bytes. */
  count: Float64Array;
  /** [128][256] c⁺ before α, k = g·8 + j. */
  plus: Float64Array;
  /** [16][256] targets per group; c⁻ = total − plus. */
  total: Float64Array;
  /** [128] steps with h_k ≥ 0 in the bh = 0 construction. */
  nonneg: Float64Array;
}

export interface NativePhiFitOptions {
  isa?: string;
  threads: number;
  epochs: number;
  lr: number;
  milestones: Float64Array;
  decay: number;
}

export interface NativePhi {
  phiCount(data: Uint8Array, begin: number, end: number, cancel: Int32Array | undefined,
    onProgress: ProgressCallback | undefined): Promise<NativePhiCounts>;
  phiBuild(counts: NativePhiCounts, alpha: number, scale: number, signBias: boolean, params: Float32Array): void;
  phiSample(data: Uint8Array, begin: number, end: number, bh: Float32Array, seed: number,
    out: { positions: Float64Array; states: Float32Array; targets: Uint8Array }, isa: string | undefined,
    cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined): Promise<void>;
  phiGrid(counts: NativePhiCounts, by: Float32Array, states: Float32Array, targets: Uint8Array,
    alphas: Float64Array, scales: Float64Array, options: { isa?: string; threads: number },
    cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined): Promise<Float64Array>;
  phiFitReadout(states: Float32Array, targets: Uint8Array, Wy: Float32Array, by: Float32Array,
    options: NativePhiFitOptions, cancel: Int32Array | undefined,
    onProgress: ProgressCallback | undefined): Promise<Float64Array>;
}
// ───── end construct module ─────

// ───── skipgram module (lib/skipgram) ─────
export interface NativeSkipgramStats {
  bits: number;
  patterns: number;
  contexts: number;
  positions: number;
  bytes: number;
}
export interface NativeGreedyStep extends NativeSkipgramStats {
  offsets: Int32Array;
  added: number;
  score: number;
  /** score by d − 1, NaN for offsets already chosen */
  candidates: Float64Array;
}
export type NativeGreedyMode =
  | { mode: 'study'; begin: number; end: number; maxBytes?: number }
  | { mode: 'heldout'; fit: [number, number]; valid: [number, number]; smoothing: string; maxBytes?: number; threads?: number };
export interface NativeHeldOut {
  bits: number;
  positions: number;
  depth: Float64Array;
  trainPositions: number;
  patterns: number;
  contexts: number;
  bytes: number;
}
export interface NativeWitness {
  positions: number;
  correct: number;
  covered: number;
  coveredCorrect: number;
  coveredIncorrect: number;
  matched: Float64Array;
  witnessed: Float64Array;
  witnessedCorrect: Float64Array;
  deepest: Float64Array;
}
type Cancel = Int32Array | undefined;
type Progress = ProgressCallback | undefined;
export interface NativeSkipgram {
  skipgramEntropy(data: Uint8Array, begin: number, end: number, offsets: Int32Array, options: { maxBytes?: number },
    cancel: Cancel, onProgress: Progress): Promise<NativeSkipgramStats>;
  skipgramMiProfile(data: Uint8Array, begin: number, end: number, maxOffset: number,
    cancel: Cancel, onProgress: Progress): Promise<Float64Array>;
  skipgramGreedy(data: Uint8Array, start: Int32Array, order: number, maxOffset: number, options: NativeGreedyMode,
    cancel: Cancel, onProgress: Progress): Promise<NativeGreedyStep[]>;
  skipgramHeldOut(data: Uint8Array, offsets: Int32Array, train: [number, number], test: [number, number],
    options: { smoothing: string; maxBytes?: number }, cancel: Cancel, onProgress: Progress): Promise<NativeHeldOut>;
  skipgramWitness(params: Float32Array, hidden: number, data: Uint8Array, offsets: Int32Array, begin: number, end: number,
    options: { isa?: string; maxBytes?: number; train?: [number, number] }, cancel: Cancel, onProgress: Progress): Promise<NativeWitness>;
}
// ───── end skipgram module ─────

// ───── skipgram shards (lib/skipgram/counts.ts) ─────
/** A sorted count table (native/include/bi/skipgram_shards.h). */
export interface NativeCountTable {
  offsets: Int32Array;
  positions: number;
  contexts: BigUint64Array;
  next: Uint8Array;
  counts: Uint32Array;
}
export interface NativeSkipgramShards {
  skipgramCountTable(data: Uint8Array, begin: number, end: number, offsets: Int32Array, options: { maxBytes?: number },
    cancel: Cancel, onProgress: Progress): Promise<NativeCountTable>;
  skipgramMergeTables(parts: NativeCountTable[], cancel: Cancel, onProgress: Progress): Promise<NativeCountTable>;
  skipgramTableStats(table: NativeCountTable, cancel: Cancel, onProgress: Progress): Promise<NativeSkipgramStats>;
  skipgramTableHeldOut(table: NativeCountTable, data: Uint8Array, test: [number, number],
    options: { smoothing: string; maxBytes?: number }, cancel: Cancel, onProgress: Progress): Promise<NativeHeldOut>;
  /** Throws E_COUNT_TABLE / E_OPTION / E_RANGE / E_SHAPE / E_DTYPE for an invalid table. */
  skipgramTableCheck(table: NativeCountTable): void;
}
// ───── end skipgram shards ─────

// ───── language-model module (lib/lm.ts): bindings/generate_binding.cc ─────
export interface NativeGenerateResult {
  nextProbs: Float64Array;
  promptBits: number;
  promptPositions: number;
  sampled: Uint8Array;
  isa: string;
}
export interface NativeGenerate {
  generate(params: Float32Array, hidden: number, prompt: Uint8Array,
    options: { isa?: string; temperature: number; seed: number; count: number },
    cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined): Promise<NativeGenerateResult>;
  order0Bits(data: Uint8Array, begin: number, end: number,
    cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined): Promise<number>;
}
// ───── end language-model module ─────

export interface NativeAddon extends NativePhi, NativeSkipgram, NativeSkipgramShards, NativeBoolean, NativeGenerate {
  setErrorClass(ctor: new (code: string, message: string) => Error): void;
  /** Every array a job keeps is passed to this (bindings/job.cc: memory pinned for the job's life). */
  setPinFunction(pin: (buffer: ArrayBuffer) => void): void;
  info(): NativeInfo;
  /** Every ISA name the addon knows, in priority order (the registry in native/include/bi/kernels.h). */
  readonly isaNames: readonly string[];
  evaluate(
    params: Float32Array, hidden: number, data: Uint8Array, ranges: Float64Array,
    options: NativeEvalOptions, cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined,
  ): Promise<NativeEvalResult>;
  trainRun(
    data: Uint8Array, state: NativeTrainState, config: NativeTrainConfig, run: { maxSteps: number; maxSeconds: number },
    cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined,
  ): Promise<NativeTrainRunResult>;
  /** FLOP/s of one thread running independent FMA chains (bench probe). */
  fmaPeak(isa: string | undefined, seconds: number): Promise<number>;
  // read module (ψ)
  factorMap: NativeRead['factorMap'];
  featureMap: NativeRead['featureMap'];
  hebbian: NativeRead['hebbian'];
  readback: NativeRead['readback'];
}

let addon: NativeAddon | undefined;

/**
 * Loads the addon once (a prebuild, or the local build; lib/loader.ts explains any failure) and
 * refuses a BI_FORCE_ISA this CPU or binary cannot run, saying which ISAs it can.
 */
export function native(): NativeAddon {
  if (addon) return addon;
  const loaded = loadAddon<NativeAddon>(path.join(__dirname, '..'));
  loaded.setErrorClass(BiEmbedError as unknown as new (code: string, message: string) => Error);
  loaded.setPinFunction(markAsUntransferable);
  const i = loaded.info();
  if (i.isa === null) {
    throw new BiEmbedError(
      ErrorCodes.ISA_UNAVAILABLE,
      `${i.isaError ?? 'no usable ISA'}; this CPU and binary run: ${i.isas.join(', ')}. ` +
        'Unset BI_FORCE_ISA or set it to one of them.',
    );
  }
  addon = loaded;
  return addon;
}
