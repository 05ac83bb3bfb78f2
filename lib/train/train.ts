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
import { NativeTrainConfig, NativeTrainState, native } from '../native';
import { checkByteLimit, checkInt, checkIsa, checkOptions, checkPositiveInt, checkThreads, shown } from '../validate';
import { DEFAULT_TRAIN_MAX_BYTES, trainMemoryBytes } from './memory';
import {
  CheckpointInfo, TrainStateArrays, checkpointPathFor, loadCheckpoint, saveCheckpoint,
} from './checkpoint';
import {
  ADAM, INIT_SCHEMES, InitScheme, RECIPES, RECIPE_DEFAULTS, Recipe, ScheduleName, initTrainModel, windowsPerCycle,
} from './recipes';
import {
  DEFAULT_SAMPLE_BYTES, EVAL_COST, decayStart, defaultEvalEvery, sampleRanges, timeHorizon, warmupSteps, wholeRanges,
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
  /** Initialisation scheme (study: 'study', SPEC §1; scale default 'pytorch'; or 'orthogonal'). */
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
    if (recipe === 'study') fail(ErrorCodes.OPTION, 'the study recipe has its own schedule (SPEC §1): schedule is for --recipe scale');
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
  const sampleBytes = test ? sampleRanges(test, testBytes).reduce((t, [a, b]) => t + b - a, 0) : 0;
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
  if (typeof options !== 'object' || options === null) fail(ErrorCodes.OPTION, 'train needs an options object');
  const corpus = typeof options.corpus === 'string' ? Corpus.open(options.corpus) : options.corpus;
  if (!(corpus instanceof Corpus)) fail(ErrorCodes.OPTION, 'corpus must be a Corpus or a file path');
  const p = plan(options, corpus);
  checkOutputPaths([
    ...(p.out !== undefined ? [{ path: p.out, what: 'model (out)', extensions: MODEL_EXTENSIONS }] : []),
    ...(p.checkpoint !== undefined ? [{ path: p.checkpoint, what: 'checkpoint', extensions: SAFETENSORS_EXTENSIONS }] : []),
  ], [corpus.path]);
  const d = RECIPE_DEFAULTS[p.recipe];
  const isaName = p.isa ?? native().info().isa ?? 'scalar';
  const { signal, onProgress } = checkOptions('train callbacks', callbacks);
  if (onProgress !== undefined && typeof onProgress !== 'function') fail(ErrorCodes.OPTION, `onProgress must be a function, got ${shown(onProgress)}`);

  let state: TrainStateArrays;
  const counters = new Float64Array([0, Infinity, 0, 0, 0]);
  let lastTestBpc: number | null = null;
  let trainSecondsBefore = 0;
  let positionsBefore = 0;
  if (options.resume) {
    const ck = loadCheckpoint(p.checkpoint!);
    checkResumable(p, ck.info, corpus, isaName, p.checkpoint!);
    // The run keeps the seed it started with (its metadata names it); a different one is refused.
    if (options.seed !== undefined && options.seed !== ck.info.seed) {
      fail(ErrorCodes.CHECKPOINT, `${p.checkpoint!} was started with seed ${ck.info.seed}, this run has ${options.seed}: resume with the same seed (or none)`);
    }
    p.seed = ck.info.seed;
    state = ck.state;
    counters[0] = ck.info.step;
    counters[1] = ck.info.bestBpc ?? Infinity;
    counters[2] = ck.info.bestStep;
    counters[3] = ck.info.cycleNats;
    counters[4] = ck.info.cyclePositions;
    lastTestBpc = ck.info.lastTestBpc;
    trainSecondsBefore = ck.info.trainSeconds;
    positionsBefore = ck.info.trainedPositions;
  } else {
    state = freshState(p, options.init);
  }

  const config: NativeTrainConfig = {
    isa: p.isa, hidden: p.hidden, streams: p.batch, window: p.window, threads: p.threads,
    optimizer: d.optimizer, schedule: p.schedule, lr: p.lr, minLr: p.minLr, epochs: p.epochs,
    warmup: p.warmup, horizon: p.totalSteps ?? Number.MAX_SAFE_INTEGER,
    decayStart: decayStart(p.warmup, p.totalSteps ?? Number.MAX_SAFE_INTEGER, p.decay),
    beta1: ADAM.beta1, beta2: ADAM.beta2, eps: ADAM.eps, clip: p.clip,
    begin: p.train[0], end: p.train[1], trackBest: d.trackBest, sumLoss: d.sumLoss, partialTail: d.partialTail,
    nanAtStep: options.nanAtStep ?? -1,
  };
  const nativeState: NativeTrainState = { ...state, counters };

  let trainSeconds = 0;
  let positions = 0;
  const recent: Array<[number, number, number]> = []; // [nats, positions, steps] of the last calls (≥ 100 steps)
  let recentSteps = 0;
  const testCurve: Array<[number, number]> = [];
  const t0 = Date.now();
  let lastCheckpointAt = Date.now();
  let lastCheckpointStep = counters[0];
  let haveCheckpoint = options.resume === true;
  let lastLoss = NaN;

  const info = (): CheckpointInfo => ({
    recipe: p.recipe, corpusHash: corpus.hash(), corpusSize: corpus.size, hidden: p.hidden, batch: p.batch,
    window: p.window, threads: p.threads, isa: isaName, seed: p.seed, optimizer: d.optimizer, lr: p.lr, clip: p.clip,
    epochs: p.epochs, totalSteps: p.totalSteps, testFraction: p.testFraction, schedule: p.schedule, step: counters[0],
    bestBpc: Number.isFinite(counters[1]) ? counters[1] : null, bestStep: counters[2],
    cycleNats: counters[3], cyclePositions: counters[4], lastTestBpc,
    trainSeconds: trainSecondsBefore + trainSeconds, trainedPositions: positionsBefore + positions,
  });
  const resultModel = (): Model => {
    const useBest = d.trackBest && Number.isFinite(counters[1]) && state.best;
    const m = new Model(p.hidden, new Float32Array(useBest ? state.best! : state.params));
    m.metadata = {
      'bi-embed.recipe': p.recipe, 'bi-embed.corpusHash': corpus.hash(), 'bi-embed.seed': String(p.seed),
      'bi-embed.steps': String(counters[0]),
      ...(useBest ? { 'bi-embed.bestStep': String(counters[2]), 'bi-embed.bestEpochLossBpc': String(counters[1]) } : {}),
    };
    return m;
  };
  let saveSeconds = p.checkpoint || p.out ? SAVE_SECONDS_GUESS : 0;
  const saveAll = (): void => {
    const s0 = Date.now();
    if (p.checkpoint) saveCheckpoint(p.checkpoint, info(), state);
    if (p.out) saveModel(resultModel(), p.out);
    saveSeconds = (Date.now() - s0) / 1000;
    lastCheckpointAt = Date.now();
    lastCheckpointStep = counters[0];
    haveCheckpoint = p.checkpoint !== undefined;
  };
  const sample = p.test ? sampleRanges(p.test, p.testBytes) : [];
  const sampleBytes = sample.reduce((t, [a, b]) => t + b - a, 0);
  const testBytesAll = p.test ? p.test[1] - p.test[0] : 0;
  let evalSeconds = 0;
  let finalEvalSeconds = 0;
  let evalRate = 0; // bytes/s of the sample evaluations, to keep back time for the final one
  const testEval = async (): Promise<number> => {
    const e0 = Date.now();
    const m = new Model(p.hidden, state.params);
    const r = await evaluate(m, corpus, { ranges: sample, threads: p.threads, isa: p.isa, signal });
    const secs = (Date.now() - e0) / 1000;
    evalSeconds += secs;
    if (secs > 0) evalRate = sampleBytes / secs;
    lastTestBpc = r.bpc;
    testCurve.push([counters[0], r.bpc]);
    return r.bpc;
  };
  // --seconds covers the final evaluation of the whole test split and the final save.
  const reserveSeconds = (): number => {
    const trainRate = trainSeconds > 0 ? positions / trainSeconds : 0;
    const rate = evalRate > 0 ? evalRate : trainRate / EVAL_COST;
    return saveSeconds + (p.test && rate > 0 ? (testBytesAll + sampleBytes) / rate : 0);
  };
  const aborted = (): BiEmbedError => {
    saveAll();
    return new BiEmbedError(ErrorCodes.ABORTED,
      `training cancelled at step ${counters[0]}` + (p.checkpoint ? `; checkpoint saved to ${p.checkpoint} (continue with resume)` : ''));
  };

  // Scale's trainBpc: the mean loss over the last TRAIN_BPC_STEPS steps of a run with a step count.
  const tailStart = p.totalSteps !== null ? Math.max(counters[0], p.totalSteps - TRAIN_BPC_STEPS) : null;
  let tailNats = 0;
  let tailPositions = 0;
  let stopped: 'done' | 'time' = 'done';
  const startStep = counters[0];
  let lastEvalStep = counters[0];
  for (;;) {
    const step = counters[0];
    if (p.totalSteps !== null && step >= p.totalSteps) break;
    const elapsed = (Date.now() - t0) / 1000;
    const left = p.seconds === null ? Infinity : p.seconds - elapsed - reserveSeconds();
    if (left <= 0) { stopped = 'time'; break; }
    if (p.totalSteps === null && trainSeconds > 0) {
      // Time budget only: plan the decay over the steps the measured rate fits into the time left.
      const wallRate = (step - startStep) / Math.max(1e-9, elapsed - evalSeconds);
      config.horizon = timeHorizon(step, wallRate, left);
      config.decayStart = decayStart(p.warmup, config.horizon, p.decay);
    }
    if (signal?.aborted) throw aborted();
    let maxSteps = p.totalSteps === null ? Number.MAX_SAFE_INTEGER : p.totalSteps - step;
    if (p.checkpointEvery !== null) maxSteps = Math.min(maxSteps, p.checkpointEvery - (step % p.checkpointEvery));
    if (p.test) maxSteps = Math.min(maxSteps, p.evalEvery - (step % p.evalEvery));
    // A call ends where the last TRAIN_BPC_STEPS steps begin, so trainBpc sums exactly those
    // steps wherever timing put the other call boundaries.
    if (tailStart !== null && step < tailStart) maxSteps = Math.min(maxSteps, tailStart - step);
    const maxSeconds = Math.max(1e-3, Math.min(CALL_SECONDS, left));
    const c0 = process.hrtime.bigint();
    let r;
    try {
      r = await runJob({ signal }, (cancel) =>
        native().trainRun(corpus.bytes, nativeState, config, { maxSteps, maxSeconds }, cancel, undefined));
    } catch (e) {
      if (isBiEmbedError(e) && e.code === ErrorCodes.ABORTED) throw aborted();
      if (isBiEmbedError(e) && e.code === ErrorCodes.NON_FINITE) {
        throw new BiEmbedError(ErrorCodes.NON_FINITE, `${e.message}. Training stopped` +
          (haveCheckpoint ? `; the last good checkpoint (step ${lastCheckpointStep}) is ${p.checkpoint}` : '; no checkpoint was written before it') +
          '. Lower --lr or --clip, or check the corpus.');
      }
      throw e;
    }
    trainSeconds += Number(process.hrtime.bigint() - c0) / 1e9;
    positions += r.positions;
    if (tailStart !== null && step >= tailStart) { tailNats += r.nats; tailPositions += r.positions; }
    if (r.steps > 0) {
      lastLoss = r.nats / r.positions / Math.LN2;
      recent.push([r.nats, r.positions, r.steps]);
      recentSteps += r.steps;
      while (recent.length > 1 && recentSteps - recent[0][2] >= 100) recentSteps -= recent.shift()![2];
    }
    if (r.cancelled) throw aborted();
    const now = counters[0];
    if (p.test && (now - lastEvalStep >= p.evalEvery || (now % p.evalEvery === 0 && now !== lastEvalStep))) {
      try {
        await testEval();
      } catch (e) {
        if (isBiEmbedError(e) && e.code === ErrorCodes.ABORTED) throw aborted();
        throw e;
      }
      lastEvalStep = now;
    }
    const due = p.checkpointEvery !== null
      ? now % p.checkpointEvery === 0 && now !== lastCheckpointStep
      : Date.now() - lastCheckpointAt >= CHECKPOINT_SECONDS * 1000;
    if (due && (p.checkpoint || p.out)) saveAll();
    if (onProgress) {
      const secs = (Date.now() - t0) / 1000;
      const rate = trainSeconds > 0 ? positions / trainSeconds : 0;
      const stepRate = secs > 0 ? (now - startStep) / secs : 0;
      let eta: number | null = null;
      if (p.totalSteps !== null && stepRate > 0) eta = (p.totalSteps - now) / stepRate;
      if (p.seconds !== null) eta = Math.min(eta ?? Infinity, Math.max(0, p.seconds - secs));
      try {
        onProgress({
          step: now, totalSteps: p.totalSteps, epoch: Math.floor(now / p.stepsPerEpoch), seconds: secs,
          bytesPerSecond: rate, trainLoss: lastLoss,
          bestBpc: Number.isFinite(counters[1]) ? counters[1] : null, testBpc: lastTestBpc, eta,
        });
      } catch (e) {
        // A throwing callback stops the run like a cancel: saved first, then its error.
        if (p.checkpoint || p.out) saveAll();
        throw e;
      }
    }
  }

  let finalTestBpc: number | null = null;
  if (p.test) {
    try {
      if (lastEvalStep !== counters[0]) await testEval();
      const f0 = Date.now();
      finalTestBpc = (await evaluate(new Model(p.hidden, state.params), corpus, { ranges: wholeRanges(p.test), threads: p.threads, isa: p.isa, signal })).bpc;
      finalEvalSeconds = (Date.now() - f0) / 1000;
    } catch (e) {
      if (isBiEmbedError(e) && e.code === ErrorCodes.ABORTED) throw aborted();
      throw e;
    }
  }
  if (p.checkpoint || p.out) saveAll();
  const model = resultModel();
  let trainBpc: number;
  if (d.trackBest) {
    // The kept model scored (one pass from h = 0) on the training range (for the study: the whole 1 KB).
    trainBpc = (await evaluate(model, corpus, { ranges: [p.train], isa: p.isa, signal })).bpc;
  } else {
    // With a step count: exactly the last TRAIN_BPC_STEPS steps (or those this call ran, if fewer).
    // With only a time budget: the last calls covering ≥ TRAIN_BPC_STEPS steps.
    const [nats, pos] = tailStart !== null && stopped === 'done' ? [tailNats, tailPositions]
      : recent.reduce(([a, b], [c, e]) => [a + c, b + e], [0, 0]);
    trainBpc = pos > 0 ? nats / pos / Math.LN2 : NaN;
  }
  return {
    model, recipe: p.recipe, trainBpc, testBpc: finalTestBpc,
    bytesPerSecond: trainSeconds > 0 ? positions / trainSeconds : 0,
    steps: counters[0], epochs: counters[0] / p.stepsPerEpoch,
    bestStep: d.trackBest && Number.isFinite(counters[1]) ? counters[2] : null,
    seconds: (Date.now() - t0) / 1000, stopped, isa: isaName, threads: p.threads, batch: p.batch, hidden: p.hidden,
    out: p.out, checkpoint: p.checkpoint, testCurve, evalSeconds, finalEvalSeconds,
  };
}
