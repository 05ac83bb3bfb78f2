/**
 * train(): the two recipes (study: SGD on one stream; scale: B streams, Adam) driven from TypeScript. The native job trains a bounded
 * number of steps from the state it is handed (parameters, Adam moments, stream states,
 * step counter) and returns at a step boundary; between calls this loop reports progress,
 * evaluates the test split (scale), and writes checkpoints atomically. Because the state
 * between calls is the whole state, a run interrupted and resumed from a checkpoint ends
 * with bitwise the weights of an uninterrupted one (same seed, ISA, batch and threads).
 */
import { Corpus } from '../corpus';
import { BiEmbedError, ErrorCodes, fail, isBiEmbedError } from '../errors';
import { evaluate } from '../evaluate';
import { MODEL_EXTENSIONS, SAFETENSORS_EXTENSIONS, saveModel } from '../io/model-file';
import { checkOutputPaths } from '../io/outputs';
import { runJob } from '../jobs';
import { DEFAULT_HIDDEN, Model, checkHidden, paramCount } from '../model';
import { NativeTrainConfig, NativeTrainRunResult, NativeTrainState, native } from '../native';
import { checkByteLimit, checkInt, checkIsa, checkOptions, checkPositiveInt, checkThreads, shown } from '../validate';
import { DEFAULT_TRAIN_MAX_BYTES, trainMemoryBytes } from './memory';
import {
  CheckpointInfo, TrainStateArrays, checkpointPathFor, loadCheckpoint, saveCheckpoint,
} from './checkpoint';
import {
  ADAM, INIT_SCHEMES, InitScheme, RECIPES, RECIPE_DEFAULTS, Recipe, ScheduleName, initTrainModel, windowsPerCycle,
} from './recipes';
import {
  DEFAULT_SAMPLE_BYTES, EVAL_COST, decayStart, defaultEvalEvery, periodicSample, timeHorizon, warmupSteps, wholeRanges,
} from './schedule';

export interface TrainOptions {
  /** The corpus (a Corpus or a file path). */
  corpus: Corpus | string;
  /** 'study' (the study's SGD with a cosine rate on one stream, in-sample) or 'scale' (default: B streams, Adam, held-out test split). */
  recipe?: Recipe;
  hidden?: number;
  /** Parallel streams B (study: 1, scale: 64). */
  batch?: number;
  threads?: number;
  /** BPTT window T (default 50). */
  window?: number;
  /** Duration: epochs (study default 4000; scale: passes over the train split, default 1). */
  epochs?: number;
  /** Duration: total optimiser steps (one window per stream each); caps the run when epochs is given too (study: epochs still sets the cosine schedule). */
  steps?: number;
  /** Wall-clock budget of this call in seconds (on top of epochs/steps when given). */
  seconds?: number;
  /** Learning rate (study: the cosine's peak, 0.01; scale: Adam's peak, 5e-3). */
  lr?: number;
  /** Scale: 'warmup-cosine' (default: linear warm-up, constant, then a cosine to 0 over the last `decay` of the budget) or 'constant'. */
  schedule?: 'constant' | 'warmup-cosine';
  /** Scale: warm-up steps of warmup-cosine (default 100, at most a tenth of a known budget). */
  warmup?: number;
  /** Scale: share (0, 1] of the steps after the warm-up over which warmup-cosine decays (the lr is constant before; default 0.2). */
  decay?: number;
  /** Initialisation scheme (study: 'study', every weight (U[0,1) − 0.5)/128 and biases 0; scale default 'pytorch'; or 'orthogonal'). */
  initScheme?: InitScheme;
  clip?: number;
  seed?: number;
  /** Scale: the held-out share at the end of the corpus (default 0.1). */
  testFraction?: number;
  /** Scale: evaluate the test sample every this many steps (default: the sample takes about 1 % of the training time; 512 steps at batch 64). */
  evalEvery?: number;
  /** Scale: bytes of the fixed test sample evaluated periodically (4 KiB pieces evenly spaced over the test split; default 32 KiB; 0 = the whole split). The final testBpc is always the whole split. */
  testBytes?: number;
  /** Model file written at the end and on cancel (study: the best model; scale: the last). */
  out?: string;
  /** Checkpoint file (default beside `out`: NAME.ckpt.safetensors). */
  checkpoint?: string;
  /** Checkpoint every this many steps (default: every 60 s of wall time). */
  checkpointEvery?: number;
  /** Continue from the checkpoint file. */
  resume?: boolean;
  isa?: string;
  /** Start from these weights instead of the recipe's init (copied). */
  init?: Model;
  /** Refuse (E_MEMORY_LIMIT) a run whose estimated memory exceeds this many bytes (default 2 GiB; lib/train/memory.ts). */
  maxBytes?: number;
  /** Testing hook: the gradient of this 0-based step is made NaN. */
  nanAtStep?: number;
}

export interface TrainProgress {
  step: number;
  /** Total steps, or null when only a time budget bounds the run. */
  totalSteps: number | null;
  epoch: number;
  seconds: number;
  bytesPerSecond: number;
  /** Mean training loss (bits/byte) over the steps of the last native call. */
  trainLoss: number;
  /** Study: best epoch-end bpc so far; scale: null. */
  bestBpc: number | null;
  /** Scale: the last test bpc; study: null. */
  testBpc: number | null;
  /** Seconds to go, or null when unknown. */
  eta: number | null;
}

export interface TrainResult {
  model: Model;
  recipe: Recipe;
  /** Study: the kept model's bpc on the whole corpus (one pass from h = 0, in-sample). Scale: mean training loss (bits/byte) over exactly the last 100 steps (fewer when this call ran fewer; ≥ 100 of the last calls when only a time budget ends the run). */
  trainBpc: number;
  /** Scale: bpc of the final model on the whole test split. Study: null (no held-out split). */
  testBpc: number | null;
  /** Trained positions per second of native training time (this call). */
  bytesPerSecond: number;
  steps: number;
  epochs: number;
  bestStep: number | null;
  seconds: number;
  /** 'done' (the steps/epochs ran out) or 'time' (the seconds budget did). */
  stopped: 'done' | 'time';
  isa: string;
  threads: number;
  batch: number;
  hidden: number;
  out?: string;
  checkpoint?: string;
  /** Scale: [step, bpc on the fixed test sample] at every periodic evaluation and at the end. */
  testCurve: Array<[number, number]>;
  /** Scale: seconds spent in the periodic (sample) and final (whole split) test evaluations. */
  evalSeconds: number;
  finalEvalSeconds: number;
}

export interface TrainCallbacks {
  signal?: AbortSignal;
  onProgress?: (p: TrainProgress) => void;
}

const TRAIN_BPC_STEPS = 100;
const CALL_SECONDS = 0.25; // native calls return this often for progress and checkpoints
const CHECKPOINT_SECONDS = 60;
const SAVE_SECONDS_GUESS = 0.1; // kept back for the final save until one has been timed

function nonNegative(name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) fail(ErrorCodes.OPTION, `${name} must be a non-negative number, got ${String(v)}`);
  return v;
}

interface Plan {
  recipe: Recipe;
  hidden: number;
  batch: number;
  window: number;
  threads: number;
  isa?: string;
  lr: number;
  minLr: number;
  schedule: ScheduleName;
  warmup: number;
  decay: number;
  initScheme: InitScheme;
  clip: number;
  seed: number;
  epochs: number;
  totalSteps: number | null;
  seconds: number | null;
  testFraction: number | null;
  train: [number, number];
  test: [number, number] | null;
  windows: number;
  stepsPerEpoch: number;
  evalEvery: number;
  testBytes: number;
  out?: string;
  checkpoint?: string;
  checkpointEvery: number | null;
}

function plan(opts: TrainOptions, corpus: Corpus): Plan {
  const recipe = opts.recipe ?? 'scale';
  if (!RECIPES.includes(recipe)) fail(ErrorCodes.OPTION, `recipe must be study or scale, got ${String(recipe)}`);
  const d = RECIPE_DEFAULTS[recipe];
  const hidden = checkHidden(opts.hidden ?? DEFAULT_HIDDEN);
  const batch = checkPositiveInt('batch', opts.batch ?? d.batch, 65536);
  if (recipe === 'study' && batch !== 1) fail(ErrorCodes.OPTION, 'the study recipe trains one stream: batch must be 1 (use --recipe scale for batches)');
  const window = checkPositiveInt('window', opts.window ?? d.window, 100000);
  const threads = checkThreads(opts.threads);
  const isa = checkIsa(opts.isa);
  const lr = opts.lr === undefined ? d.lr : nonNegative('lr', opts.lr);
  let schedule: ScheduleName = d.schedule;
  if (opts.schedule !== undefined) {
    if (recipe === 'study') fail(ErrorCodes.OPTION, 'the study recipe has its own schedule (SGD at max(1e-4, 0.01·½(1 + cos(π·epoch/E)))): schedule is for --recipe scale');
    if (opts.schedule !== 'constant' && opts.schedule !== 'warmup-cosine') fail(ErrorCodes.OPTION, `schedule must be constant or warmup-cosine, got ${String(opts.schedule)}`);
    schedule = opts.schedule;
  }
  const initScheme = opts.initScheme ?? d.init;
  if (!INIT_SCHEMES.includes(initScheme)) fail(ErrorCodes.OPTION, `initScheme must be one of ${INIT_SCHEMES.join(', ')}, got ${String(initScheme)}`);
  const clip = opts.clip === undefined ? d.clip : nonNegative('clip', opts.clip);
  const seed = opts.seed === undefined ? 1 : checkInt('seed', opts.seed, 0, 2 ** 32 - 1);
  let train: [number, number] = [0, corpus.size];
  let test: [number, number] | null = null;
  let testFraction: number | null = null;
  if (d.split) {
    const s = corpus.split(opts.testFraction);
    train = s.train; test = s.test; testFraction = s.testFraction;
  }
  const maxBytes = checkByteLimit('maxBytes', opts.maxBytes, DEFAULT_TRAIN_MAX_BYTES);
  const bytes = trainMemoryBytes({ hidden, batch, window, threads, adam: d.optimizer === 'adam', trackBest: d.trackBest });
  if (bytes > maxBytes) {
    fail(ErrorCodes.MEMORY_LIMIT, `training H = ${hidden} with batch ${batch}, window ${window} on ${threads} thread${threads > 1 ? 's' : ''} needs about ` +
      `${(bytes / 2 ** 20).toFixed(0)} MiB, over maxBytes = ${(maxBytes / 2 ** 20).toFixed(0)} MiB; lower the batch, window or hidden size, or raise maxBytes (CLI: --max-mb)`);
  }
  const windows = windowsPerCycle(train[1] - train[0], window, d.partialTail);
  if (windows < 1) fail(ErrorCodes.CORPUS_TOO_SHORT, `the training range holds ${train[1] - train[0]} bytes; a window needs ${window + 1}`);
  // Study: an epoch is one cycle of the single stream. Scale: enough steps for B streams to cover the train split once.
  const stepsPerEpoch = recipe === 'study' ? windows : Math.ceil(windows / batch);
  const epochs = opts.epochs === undefined ? d.epochs : checkPositiveInt('epochs', opts.epochs);
  let totalSteps: number | null = epochs * stepsPerEpoch;
  if (opts.steps !== undefined) totalSteps = checkPositiveInt('steps', opts.steps);
  const seconds = opts.seconds === undefined ? null : nonNegative('seconds', opts.seconds);
  // Scale with only a time budget runs until the budget ends.
  if (recipe === 'scale' && seconds !== null && opts.epochs === undefined && opts.steps === undefined) totalSteps = null;
  const warmup = opts.warmup === undefined ? warmupSteps(d.warmup, totalSteps) : checkPositiveInt('warmup', opts.warmup + 1) - 1;
  const decay = opts.decay === undefined ? d.decay : nonNegative('decay', opts.decay);
  if (!(decay > 0 && decay <= 1)) fail(ErrorCodes.OPTION, `decay must be in (0, 1], got ${decay}`);
  const testBytes = opts.testBytes === undefined ? DEFAULT_SAMPLE_BYTES : nonNegative('testBytes', opts.testBytes);
  const sampleBytes = test ? periodicSample(test, testBytes).reduce((t, [a, b]) => t + b - a, 0) : 0;
  const out = opts.out;
  const checkpoint = opts.checkpoint ?? (out ? checkpointPathFor(out) : undefined);
  if (opts.resume && !checkpoint) fail(ErrorCodes.OPTION, 'resume needs a checkpoint (or out) file');
  return {
    recipe, hidden, batch, window, threads, isa, lr, minLr: d.minLr, schedule, warmup, decay, initScheme, clip, seed, epochs,
    totalSteps, seconds, testFraction, train, test, windows, stepsPerEpoch,
    evalEvery: opts.evalEvery === undefined ? defaultEvalEvery(sampleBytes, batch, window) : checkPositiveInt('evalEvery', opts.evalEvery),
    testBytes,
    out, checkpoint,
    checkpointEvery: opts.checkpointEvery === undefined ? null : checkPositiveInt('checkpointEvery', opts.checkpointEvery),
  };
}

function freshState(p: Plan, init: Model | undefined): TrainStateArrays {
  const d = RECIPE_DEFAULTS[p.recipe];
  const n = paramCount(p.hidden);
  let params: Float32Array;
  if (init) {
    if (init.hidden !== p.hidden) fail(ErrorCodes.SHAPE, `init model has H = ${init.hidden}, expected ${p.hidden}`);
    params = new Float32Array(init.params);
  } else {
    params = initTrainModel(p.hidden, p.seed, p.initScheme).params;
  }
  const s: TrainStateArrays = { params, hidden: new Float32Array(p.batch * p.hidden) };
  if (d.optimizer === 'adam') { s.m = new Float32Array(n); s.v = new Float32Array(n); }
  if (d.trackBest) s.best = new Float32Array(params);
  return s;
}

function checkResumable(p: Plan, info: CheckpointInfo, corpus: Corpus, isa: string, file: string): void {
  const mismatch = (what: string, was: unknown, now: unknown): never =>
    fail(ErrorCodes.CHECKPOINT, `${file} was trained with ${what} = ${String(was)}, this run has ${String(now)}: resume with the same settings (bitwise continuation needs them)`);
  if (info.corpusHash !== corpus.hash()) mismatch('corpus (SHA-256)', info.corpusHash.slice(0, 12), corpus.hash().slice(0, 12));
  if (info.recipe !== p.recipe) mismatch('recipe', info.recipe, p.recipe);
  if (info.hidden !== p.hidden) mismatch('hidden', info.hidden, p.hidden);
  if (info.batch !== p.batch) mismatch('batch', info.batch, p.batch);
  if (info.window !== p.window) mismatch('window', info.window, p.window);
  // Another thread count sums the gradient in another order: a valid continuation, not a bitwise one.
  if (info.threads !== p.threads) {
    process.emitWarning(`${file} was trained with ${info.threads} thread(s), this run has ${p.threads}: the run continues, ` +
      `but not bitwise as an uninterrupted ${info.threads}-thread run would (pass threads: ${info.threads} for that)`, 'BiEmbedWarning');
  }
  if (info.isa !== isa) mismatch('isa', info.isa, isa);
  if (info.lr !== p.lr) mismatch('lr', info.lr, p.lr);
  if (info.clip !== p.clip) mismatch('clip', info.clip, p.clip);
  if (info.schedule !== p.schedule) mismatch('schedule', info.schedule, p.schedule);
  if (info.testFraction !== p.testFraction) mismatch('testFraction', info.testFraction, p.testFraction);
  if (p.recipe === 'study' && info.epochs !== p.epochs) mismatch('epochs (the cosine schedule)', info.epochs, p.epochs);
}

/** Trains an Elman RNN (H = 128 by default) on a corpus. Rejects with E_ABORTED on cancel (after saving the checkpoint and model). */
export async function train(options: TrainOptions, callbacks?: TrainCallbacks): Promise<TrainResult> {
  const run = openRun(options, callbacks);
  const stopped = await stepLoop(run);
  return finish(run, stopped);
}

/** The state a run starts from: a checkpoint's (resume) or a fresh one (the recipe's init or `init`). */
interface OpenedState {
  state: TrainStateArrays;
  /** [step, best epoch bpc, best step, cycle nats, cycle positions]: the native job's counters. */
  counters: Float64Array;
  lastTestBpc: number | null;
  trainSecondsBefore: number;
  positionsBefore: number;
}

/** Checks the options and callbacks, plans the run (memory estimate included) and opens its state. */
function openRun(options: TrainOptions, callbacks: TrainCallbacks | undefined): TrainRun {
  if (typeof options !== 'object' || options === null) fail(ErrorCodes.OPTION, 'train needs an options object');
  const corpus = typeof options.corpus === 'string' ? Corpus.open(options.corpus) : options.corpus;
  if (!(corpus instanceof Corpus)) fail(ErrorCodes.OPTION, 'corpus must be a Corpus or a file path');
  const p = plan(options, corpus);
  checkOutputPaths([
    ...(p.out !== undefined ? [{ path: p.out, what: 'model (out)', extensions: MODEL_EXTENSIONS }] : []),
    ...(p.checkpoint !== undefined ? [{ path: p.checkpoint, what: 'checkpoint', extensions: SAFETENSORS_EXTENSIONS }] : []),
  ], [corpus.path]);
  const isaName = p.isa ?? native().info().isa ?? 'scalar';
  const { signal, onProgress } = checkOptions('train callbacks', callbacks);
  if (onProgress !== undefined && typeof onProgress !== 'function') fail(ErrorCodes.OPTION, `onProgress must be a function, got ${shown(onProgress)}`);
  const opened = options.resume ? resumeState(p, options, corpus, isaName) : freshOpened(p, options.init);
  return new TrainRun(p, corpus, isaName, opened, nativeConfig(p, options), signal, onProgress, options.resume === true);
}

function resumeState(p: Plan, options: TrainOptions, corpus: Corpus, isaName: string): OpenedState {
  const ck = loadCheckpoint(p.checkpoint!);
  checkResumable(p, ck.info, corpus, isaName, p.checkpoint!);
  // The run keeps the seed it started with (its metadata names it); a different one is refused.
  if (options.seed !== undefined && options.seed !== ck.info.seed) {
    fail(ErrorCodes.CHECKPOINT, `${p.checkpoint!} was started with seed ${ck.info.seed}, this run has ${options.seed}: resume with the same seed (or none)`);
  }
  p.seed = ck.info.seed;
  return {
    state: ck.state,
    counters: new Float64Array([ck.info.step, ck.info.bestBpc ?? Infinity, ck.info.bestStep, ck.info.cycleNats, ck.info.cyclePositions]),
    lastTestBpc: ck.info.lastTestBpc,
    trainSecondsBefore: ck.info.trainSeconds,
    positionsBefore: ck.info.trainedPositions,
  };
}

function freshOpened(p: Plan, init: Model | undefined): OpenedState {
  return { state: freshState(p, init), counters: new Float64Array([0, Infinity, 0, 0, 0]), lastTestBpc: null, trainSecondsBefore: 0, positionsBefore: 0 };
}

function nativeConfig(p: Plan, options: TrainOptions): NativeTrainConfig {
  const d = RECIPE_DEFAULTS[p.recipe];
  return {
    isa: p.isa, hidden: p.hidden, streams: p.batch, window: p.window, threads: p.threads,
    optimizer: d.optimizer, schedule: p.schedule, lr: p.lr, minLr: p.minLr, epochs: p.epochs,
    warmup: p.warmup, horizon: p.totalSteps ?? Number.MAX_SAFE_INTEGER,
    decayStart: decayStart(p.warmup, p.totalSteps ?? Number.MAX_SAFE_INTEGER, p.decay),
    beta1: ADAM.beta1, beta2: ADAM.beta2, eps: ADAM.eps, clip: p.clip,
    begin: p.train[0], end: p.train[1], trackBest: d.trackBest, sumLoss: d.sumLoss, partialTail: d.partialTail,
    nanAtStep: options.nanAtStep ?? -1,
  };
}

/**
 * One call of train() between its opening and its result: the state handed to the native job
 * (parameters, moments, counters), the clocks and loss tallies, the test evaluations and saves.
 */
class TrainRun {
  readonly d: (typeof RECIPE_DEFAULTS)[Recipe];
  readonly state: TrainStateArrays;
  readonly counters: Float64Array;
  readonly nativeState: NativeTrainState;
  lastTestBpc: number | null;
  readonly trainSecondsBefore: number;
  readonly positionsBefore: number;
  trainSeconds = 0;
  positions = 0;
  readonly recent: Array<[number, number, number]> = []; // [nats, positions, steps] of the last calls (≥ 100 steps)
  recentSteps = 0;
  readonly testCurve: Array<[number, number]> = [];
  readonly t0 = Date.now();
  lastCheckpointAt = Date.now();
  lastCheckpointStep: number;
  haveCheckpoint: boolean;
  lastLoss = NaN;
  saveSeconds: number;
  readonly sample: Array<[number, number]>;
  readonly sampleBytes: number;
  readonly testBytesAll: number;
  evalSeconds = 0;
  finalEvalSeconds = 0;
  evalRate = 0; // bytes/s of the sample evaluations, to keep back time for the final one
  /** Scale's trainBpc: the mean loss over the last TRAIN_BPC_STEPS steps of a run with a step count. */
  readonly tailStart: number | null;
  tailNats = 0;
  tailPositions = 0;
  readonly startStep: number;
  lastEvalStep: number;

  constructor(
    readonly p: Plan, readonly corpus: Corpus, readonly isaName: string, opened: OpenedState,
    readonly config: NativeTrainConfig, readonly signal: AbortSignal | undefined,
    readonly onProgress: ((p: TrainProgress) => void) | undefined, resumed: boolean,
  ) {
    this.d = RECIPE_DEFAULTS[p.recipe];
    this.state = opened.state;
    this.counters = opened.counters;
    this.nativeState = { ...opened.state, counters: opened.counters };
    this.lastTestBpc = opened.lastTestBpc;
    this.trainSecondsBefore = opened.trainSecondsBefore;
    this.positionsBefore = opened.positionsBefore;
    this.lastCheckpointStep = this.counters[0];
    this.haveCheckpoint = resumed;
    this.saveSeconds = p.checkpoint || p.out ? SAVE_SECONDS_GUESS : 0;
    this.sample = p.test ? periodicSample(p.test, p.testBytes) : [];
    this.sampleBytes = this.sample.reduce((t, [a, b]) => t + b - a, 0);
    this.testBytesAll = p.test ? p.test[1] - p.test[0] : 0;
    this.tailStart = p.totalSteps !== null ? Math.max(this.counters[0], p.totalSteps - TRAIN_BPC_STEPS) : null;
    this.startStep = this.counters[0];
    this.lastEvalStep = this.counters[0];
  }

  get step(): number { return this.counters[0]; }
  get bestBpc(): number | null { return Number.isFinite(this.counters[1]) ? this.counters[1] : null; }

  info(): CheckpointInfo {
    const { p, counters } = this;
    return {
      recipe: p.recipe, corpusHash: this.corpus.hash(), corpusSize: this.corpus.size, hidden: p.hidden, batch: p.batch,
      window: p.window, threads: p.threads, isa: this.isaName, seed: p.seed, optimizer: this.d.optimizer, lr: p.lr, clip: p.clip,
      epochs: p.epochs, totalSteps: p.totalSteps, testFraction: p.testFraction, schedule: p.schedule, step: counters[0],
      bestBpc: this.bestBpc, bestStep: counters[2],
      cycleNats: counters[3], cyclePositions: counters[4], lastTestBpc: this.lastTestBpc,
      trainSeconds: this.trainSecondsBefore + this.trainSeconds, trainedPositions: this.positionsBefore + this.positions,
    };
  }

  /** Study: the best model kept so far; scale: the current one. */
  resultModel(): Model {
    const { p, counters, state } = this;
    const useBest = this.d.trackBest && Number.isFinite(counters[1]) && state.best;
    const m = new Model(p.hidden, new Float32Array(useBest ? state.best! : state.params));
    m.metadata = {
      'bi-embed.recipe': p.recipe, 'bi-embed.corpusHash': this.corpus.hash(), 'bi-embed.seed': String(p.seed),
      'bi-embed.steps': String(counters[0]),
      ...(useBest ? { 'bi-embed.bestStep': String(counters[2]), 'bi-embed.bestEpochLossBpc': String(counters[1]) } : {}),
    };
    return m;
  }

  saveAll(): void {
    const s0 = Date.now();
    if (this.p.checkpoint) saveCheckpoint(this.p.checkpoint, this.info(), this.state);
    if (this.p.out) saveModel(this.resultModel(), this.p.out);
    this.saveSeconds = (Date.now() - s0) / 1000;
    this.lastCheckpointAt = Date.now();
    this.lastCheckpointStep = this.counters[0];
    this.haveCheckpoint = this.p.checkpoint !== undefined;
  }

  /** Saves when there is somewhere to save to. */
  saveIfAny(): void {
    if (this.p.checkpoint || this.p.out) this.saveAll();
  }

  /** The error a cancel rejects with, after saving. */
  aborted(): BiEmbedError {
    this.saveAll();
    return new BiEmbedError(ErrorCodes.ABORTED,
      `training cancelled at step ${this.counters[0]}` + (this.p.checkpoint ? `; checkpoint saved to ${this.p.checkpoint} (continue with resume)` : ''));
  }

  /** Runs `work`; a cancel inside it becomes this run's saved E_ABORTED. */
  async cancellable<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (isBiEmbedError(e) && e.code === ErrorCodes.ABORTED) throw this.aborted();
      throw e;
    }
  }

  /** Evaluates the fixed test sample and records it on the test curve. */
  async testEval(): Promise<number> {
    const e0 = Date.now();
    const m = new Model(this.p.hidden, this.state.params);
    const r = await evaluate(m, this.corpus, { ranges: this.sample, threads: this.p.threads, isa: this.p.isa, signal: this.signal });
    const secs = (Date.now() - e0) / 1000;
    this.evalSeconds += secs;
    if (secs > 0) this.evalRate = this.sampleBytes / secs;
    this.lastTestBpc = r.bpc;
    this.testCurve.push([this.counters[0], r.bpc]);
    return r.bpc;
  }

  /** Seconds kept back from a --seconds budget for the final evaluation of the whole test split and the final save. */
  reserveSeconds(): number {
    const trainRate = this.trainSeconds > 0 ? this.positions / this.trainSeconds : 0;
    const rate = this.evalRate > 0 ? this.evalRate : trainRate / EVAL_COST;
    return this.saveSeconds + (this.p.test && rate > 0 ? (this.testBytesAll + this.sampleBytes) / rate : 0);
  }
}

/** Calls the native job until the steps, epochs or seconds run out; says which ended the run. */
async function stepLoop(run: TrainRun): Promise<'done' | 'time'> {
  const { p, config } = run;
  for (;;) {
    const step = run.step;
    if (p.totalSteps !== null && step >= p.totalSteps) return 'done';
    const elapsed = (Date.now() - run.t0) / 1000;
    const left = p.seconds === null ? Infinity : p.seconds - elapsed - run.reserveSeconds();
    if (left <= 0) return 'time';
    if (p.totalSteps === null && run.trainSeconds > 0) {
      // Time budget only: plan the decay over the steps the measured rate fits into the time left.
      const wallRate = (step - run.startStep) / Math.max(1e-9, elapsed - run.evalSeconds);
      config.horizon = timeHorizon(step, wallRate, left);
      config.decayStart = decayStart(p.warmup, config.horizon, p.decay);
    }
    if (run.signal?.aborted) throw run.aborted();
    const r = await nativeCall(run, callSteps(run, step), Math.max(1e-3, Math.min(CALL_SECONDS, left)));
    tally(run, step, r);
    if (r.cancelled) throw run.aborted();
    await periodicWork(run);
  }
}

/** The most steps the next native call may take: it stops at checkpoints, evaluations, the end and the trainBpc tail. */
function callSteps(run: TrainRun, step: number): number {
  const { p } = run;
  let maxSteps = p.totalSteps === null ? Number.MAX_SAFE_INTEGER : p.totalSteps - step;
  if (p.checkpointEvery !== null) maxSteps = Math.min(maxSteps, p.checkpointEvery - (step % p.checkpointEvery));
  if (p.test) maxSteps = Math.min(maxSteps, p.evalEvery - (step % p.evalEvery));
  // A call ends where the last TRAIN_BPC_STEPS steps begin, so trainBpc sums exactly those
  // steps wherever timing put the other call boundaries.
  if (run.tailStart !== null && step < run.tailStart) maxSteps = Math.min(maxSteps, run.tailStart - step);
  return maxSteps;
}

/** One native training call; a cancel saves first, a non-finite step names the last good checkpoint. */
async function nativeCall(run: TrainRun, maxSteps: number, maxSeconds: number): Promise<NativeTrainRunResult> {
  const c0 = process.hrtime.bigint();
  let r: NativeTrainRunResult;
  try {
    r = await runJob({ signal: run.signal }, (cancel) =>
      native().trainRun(run.corpus.bytes, run.nativeState, run.config, { maxSteps, maxSeconds }, cancel, undefined));
  } catch (e) {
    if (isBiEmbedError(e) && e.code === ErrorCodes.ABORTED) throw run.aborted();
    if (isBiEmbedError(e) && e.code === ErrorCodes.NON_FINITE) {
      throw new BiEmbedError(ErrorCodes.NON_FINITE, `${e.message}. Training stopped` +
        (run.haveCheckpoint ? `; the last good checkpoint (step ${run.lastCheckpointStep}) is ${run.p.checkpoint}` : '; no checkpoint was written before it') +
        '. Lower --lr or --clip, or check the corpus.');
    }
    throw e;
  }
  run.trainSeconds += Number(process.hrtime.bigint() - c0) / 1e9;
  return r;
}

/** Adds a call's loss and positions to the run's tallies (`step`: where the call began). */
function tally(run: TrainRun, step: number, r: NativeTrainRunResult): void {
  run.positions += r.positions;
  if (run.tailStart !== null && step >= run.tailStart) { run.tailNats += r.nats; run.tailPositions += r.positions; }
  if (r.steps > 0) {
    run.lastLoss = r.nats / r.positions / Math.LN2;
    run.recent.push([r.nats, r.positions, r.steps]);
    run.recentSteps += r.steps;
    while (run.recent.length > 1 && run.recentSteps - run.recent[0][2] >= 100) run.recentSteps -= run.recent.shift()![2];
  }
}

/** Between calls: the periodic test evaluation, the checkpoint when due, the progress report. */
async function periodicWork(run: TrainRun): Promise<void> {
  const { p } = run;
  const now = run.step;
  if (p.test && (now - run.lastEvalStep >= p.evalEvery || (now % p.evalEvery === 0 && now !== run.lastEvalStep))) {
    await run.cancellable(() => run.testEval());
    run.lastEvalStep = now;
  }
  const due = p.checkpointEvery !== null
    ? now % p.checkpointEvery === 0 && now !== run.lastCheckpointStep
    : Date.now() - run.lastCheckpointAt >= CHECKPOINT_SECONDS * 1000;
  if (due) run.saveIfAny();
  if (run.onProgress) {
    try {
      run.onProgress(progress(run));
    } catch (e) {
      // A throwing callback stops the run like a cancel: saved first, then its error.
      run.saveIfAny();
      throw e;
    }
  }
}

function progress(run: TrainRun): TrainProgress {
  const { p } = run;
  const now = run.step;
  const secs = (Date.now() - run.t0) / 1000;
  const rate = run.trainSeconds > 0 ? run.positions / run.trainSeconds : 0;
  const stepRate = secs > 0 ? (now - run.startStep) / secs : 0;
  let eta: number | null = null;
  if (p.totalSteps !== null && stepRate > 0) eta = (p.totalSteps - now) / stepRate;
  if (p.seconds !== null) eta = Math.min(eta ?? Infinity, Math.max(0, p.seconds - secs));
  return {
    step: now, totalSteps: p.totalSteps, epoch: Math.floor(now / p.stepsPerEpoch), seconds: secs,
    bytesPerSecond: rate, trainLoss: run.lastLoss, bestBpc: run.bestBpc, testBpc: run.lastTestBpc, eta,
  };
}

/** The end of a run: the final test evaluation (scale), the final save, trainBpc and the result. */
async function finish(run: TrainRun, stopped: 'done' | 'time'): Promise<TrainResult> {
  const { p, d } = run;
  let finalTestBpc: number | null = null;
  const test = p.test;
  if (test) {
    finalTestBpc = await run.cancellable(async () => {
      if (run.lastEvalStep !== run.step) await run.testEval();
      const f0 = Date.now();
      const bpc = (await evaluate(new Model(p.hidden, run.state.params), run.corpus,
        { ranges: wholeRanges(test), threads: p.threads, isa: p.isa, signal: run.signal })).bpc;
      run.finalEvalSeconds = (Date.now() - f0) / 1000;
      return bpc;
    });
  }
  run.saveIfAny();
  const model = run.resultModel();
  return {
    model, recipe: p.recipe, trainBpc: await finalTrainBpc(run, model, stopped), testBpc: finalTestBpc,
    bytesPerSecond: run.trainSeconds > 0 ? run.positions / run.trainSeconds : 0,
    steps: run.step, epochs: run.step / p.stepsPerEpoch,
    bestStep: d.trackBest && run.bestBpc !== null ? run.counters[2] : null,
    seconds: (Date.now() - run.t0) / 1000, stopped, isa: run.isaName, threads: p.threads, batch: p.batch, hidden: p.hidden,
    out: p.out, checkpoint: p.checkpoint, testCurve: run.testCurve, evalSeconds: run.evalSeconds, finalEvalSeconds: run.finalEvalSeconds,
  };
}

async function finalTrainBpc(run: TrainRun, model: Model, stopped: 'done' | 'time'): Promise<number> {
  if (run.d.trackBest) {
    // The kept model scored (one pass from h = 0) on the training range (for the study: the whole 1 KB).
    return (await evaluate(model, run.corpus, { ranges: [run.p.train], isa: run.p.isa, signal: run.signal })).bpc;
  }
  // With a step count: exactly the last TRAIN_BPC_STEPS steps (or those this call ran, if fewer).
  // With only a time budget: the last calls covering ≥ TRAIN_BPC_STEPS steps.
  const [nats, pos] = run.tailStart !== null && stopped === 'done' ? [run.tailNats, run.tailPositions]
    : run.recent.reduce(([a, b], [c, e]) => [a + c, b + e], [0, 0]);
  return pos > 0 ? nats / pos / Math.LN2 : NaN;
}
