/**
 * Training checkpoints: a safetensors model file (lib/io/model-file, written atomically:
 * temp file, fsync, rename) whose main tensors are the current parameters, with the rest
 * of the training state as extra tensors — "adam.m", "adam.v" (Adam moments),
 * "train.hidden" (the B stream states), "train.best" (study: best parameters so far) —
 * and the counters and settings as metadata key "bi-embed.train" (JSON).
 */
import * as path from 'node:path';
import { BiEmbedError, ErrorCodes, fail } from '../errors';
import { decodeModelFile, readModelBytes, saveModel } from '../io/model-file';
import { MAX_HIDDEN, MIN_HIDDEN, Model } from '../model';
import { native } from '../native';
import { RECIPE_DEFAULTS, Recipe } from './recipes';

export const CHECKPOINT_KEY = 'bi-embed.train';

/** Everything besides tensors that a resumed run needs, and checks. */
export interface CheckpointInfo {
  recipe: Recipe;
  corpusHash: string;
  corpusSize: number;
  hidden: number;
  batch: number;
  window: number;
  threads: number;
  isa: string;
  seed: number;
  optimizer: 'sgd' | 'adam';
  lr: number;
  clip: number;
  epochs: number;
  totalSteps: number | null;
  testFraction: number | null;
  /** The learning-rate schedule (study: cosine; scale: warmup-cosine or constant). */
  schedule: 'constant' | 'cosine' | 'warmup-cosine';
  step: number;
  /** null before the first epoch end (study). */
  bestBpc: number | null;
  bestStep: number;
  /** Study: the running epoch's Σ loss (nats) and positions so far. */
  cycleNats: number;
  cyclePositions: number;
  lastTestBpc: number | null;
  trainSeconds: number;
  trainedPositions: number;
}

export interface TrainStateArrays {
  params: Float32Array;
  m?: Float32Array;
  v?: Float32Array;
  hidden: Float32Array;
  best?: Float32Array;
}

/** The default checkpoint path beside the model file: a.safetensors → a.ckpt.safetensors. */
export function checkpointPathFor(out: string): string {
  const ext = path.extname(out);
  return path.join(path.dirname(out), `${path.basename(out, ext)}.ckpt.safetensors`);
}

export function saveCheckpoint(file: string, info: CheckpointInfo, state: TrainStateArrays): void {
  const model = new Model(info.hidden, state.params, { [CHECKPOINT_KEY]: JSON.stringify(info) });
  const extra = new Map<string, Float32Array>([['train.hidden', state.hidden]]);
  if (state.m) extra.set('adam.m', state.m);
  if (state.v) extra.set('adam.v', state.v);
  if (state.best) extra.set('train.best', state.best);
  saveModel(model, file, { format: 'safetensors', extra });
}

export interface LoadedCheckpoint {
  info: CheckpointInfo;
  state: TrainStateArrays;
}

type Check = (v: unknown) => boolean;
const isInt = (lo: number, hi = Number.MAX_SAFE_INTEGER): Check => (v) => Number.isSafeInteger(v) && (v as number) >= lo && (v as number) <= hi;
const isNum = (lo: number, hi = Infinity): Check => (v) => typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi;
const orNull = (c: Check): Check => (v) => v === null || c(v);
const oneOf = (...xs: unknown[]): Check => (v) => xs.includes(v);

/** Every field of CheckpointInfo and what it may hold (a checkpoint is checked as strictly as a model file). */
const FIELDS: Readonly<Record<keyof CheckpointInfo, [Check, string]>> = {
  recipe: [oneOf('study', 'scale'), 'study or scale'],
  corpusHash: [(v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v), 'a SHA-256 in hex'],
  corpusSize: [isInt(2), 'an integer ≥ 2'],
  hidden: [isInt(MIN_HIDDEN, MAX_HIDDEN), `an integer in ${MIN_HIDDEN}…${MAX_HIDDEN}`],
  batch: [isInt(1, 65536), 'an integer in 1…65536'],
  window: [isInt(1, 100000), 'an integer in 1…100000'],
  threads: [isInt(1, 256), 'an integer in 1…256'],
  isa: [(v) => typeof v === 'string' && native().isaNames.includes(v), 'an ISA name the addon knows (native().isaNames)'],
  seed: [isInt(0, 2 ** 32 - 1), 'an integer in 0…2³²−1'],
  optimizer: [oneOf('sgd', 'adam'), 'sgd or adam'],
  lr: [isNum(0), 'a finite number ≥ 0'],
  clip: [isNum(0), 'a finite number ≥ 0'],
  epochs: [isInt(1), 'a positive integer'],
  totalSteps: [orNull(isInt(1)), 'null or a positive integer'],
  testFraction: [orNull((v) => typeof v === 'number' && v > 0 && v < 1), 'null or a number in (0, 1)'],
  schedule: [oneOf('constant', 'cosine', 'warmup-cosine'), 'constant, cosine or warmup-cosine'],
  step: [isInt(0), 'a non-negative integer'],
  bestBpc: [orNull(isNum(0)), 'null or a finite number ≥ 0'],
  bestStep: [isInt(0), 'a non-negative integer'],
  cycleNats: [isNum(0), 'a finite number ≥ 0'],
  cyclePositions: [isInt(0), 'a non-negative integer'],
  lastTestBpc: [orNull(isNum(0)), 'null or a finite number ≥ 0'],
  trainSeconds: [isNum(0), 'a finite number ≥ 0'],
  trainedPositions: [isInt(0), 'a non-negative integer'],
};

/** The metadata as CheckpointInfo, every field checked and the fields checked against each other. */
function checkInfo(file: string, raw: unknown): CheckpointInfo {
  const bad = (msg: string): never => fail(ErrorCodes.CHECKPOINT, `${file}: "${CHECKPOINT_KEY}" metadata: ${msg}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad('not a JSON object');
  const o = raw as Record<string, unknown>;
  for (const [key, [ok, what]] of Object.entries(FIELDS)) {
    if (!Object.prototype.hasOwnProperty.call(o, key)) bad(`no "${key}"`);
    if (!ok(o[key])) bad(`"${key}" must be ${what}, got ${JSON.stringify(o[key]) ?? String(o[key])}`);
  }
  const info = o as unknown as CheckpointInfo;
  if (info.optimizer !== RECIPE_DEFAULTS[info.recipe].optimizer) bad(`the ${info.recipe} recipe trains with ${RECIPE_DEFAULTS[info.recipe].optimizer}, not ${info.optimizer}`);
  if (info.bestStep > info.step) bad(`bestStep ${info.bestStep} is after step ${info.step}`);
  if (info.totalSteps !== null && info.step > info.totalSteps) bad(`step ${info.step} is past totalSteps ${info.totalSteps}`);
  if ((info.recipe === 'scale') !== (info.testFraction !== null)) bad('testFraction must be set for the scale recipe only');
  if (info.recipe === 'study' && info.batch !== 1) bad('the study recipe trains one stream (batch 1)');
  return info;
}

/** An extra tensor of `length` floats, each accepted by `ok` (`what` names the rule). */
function checkTensor(file: string, extra: Map<string, Float32Array>, name: string, length: number, ok: (x: number) => boolean, what: string): Float32Array {
  const t = extra.get(name);
  if (!t) fail(ErrorCodes.CHECKPOINT, `${file}: no "${name}" tensor`);
  if (t.length !== length) fail(ErrorCodes.CHECKPOINT, `${file}: "${name}" has ${t.length} values, expected ${length}`);
  for (let i = 0; i < t.length; i++) {
    if (!ok(t[i])) fail(ErrorCodes.CHECKPOINT, `${file}: "${name}"[${i}] is ${t[i]}; every value must be ${what}`);
  }
  return t;
}

const finite = (x: number): boolean => Number.isFinite(x);

/** Decodes a checkpoint held in memory (the fuzzable core of loadCheckpoint). Errors: the model-file codes and E_CHECKPOINT. */
export function decodeCheckpoint(bytes: Uint8Array, file = '<checkpoint>'): LoadedCheckpoint {
  let decoded;
  try {
    decoded = decodeModelFile(bytes, 'safetensors');
  } catch (e) {
    if (e instanceof BiEmbedError) throw new BiEmbedError(e.code, `${file}: ${e.message}`);
    throw e;
  }
  const { model, extra } = decoded;
  const raw = model.metadata[CHECKPOINT_KEY];
  if (raw === undefined) fail(ErrorCodes.CHECKPOINT, `${file} is a model file, not a training checkpoint (no "${CHECKPOINT_KEY}" metadata)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    fail(ErrorCodes.CHECKPOINT, `${file}: unreadable "${CHECKPOINT_KEY}" metadata: ${(e as Error).message}`);
  }
  const info = checkInfo(file, parsed);
  if (info.hidden !== model.hidden) fail(ErrorCodes.CHECKPOINT, `${file}: metadata says H = ${info.hidden}, tensors say ${model.hidden}`);
  const n = model.params.length;
  const expected = new Set(['train.hidden']);
  // Stream states are tanh outputs: finite and in [−1, 1].
  const hidden = checkTensor(file, extra, 'train.hidden', info.batch * info.hidden, (x) => x >= -1 && x <= 1, 'in [−1, 1]');
  const state: TrainStateArrays = { params: model.params, hidden };
  if (info.optimizer === 'adam') {
    state.m = checkTensor(file, extra, 'adam.m', n, finite, 'finite');
    state.v = checkTensor(file, extra, 'adam.v', n, (x) => x >= 0 && x < Infinity, 'finite and ≥ 0');
    expected.add('adam.m').add('adam.v');
  }
  if (info.recipe === 'study') {
    state.best = checkTensor(file, extra, 'train.best', n, finite, 'finite');
    expected.add('train.best');
  }
  for (const name of extra.keys()) {
    if (!expected.has(name)) fail(ErrorCodes.CHECKPOINT, `${file}: unexpected tensor "${name}" in a ${info.recipe} (${info.optimizer}) checkpoint`);
  }
  return { info, state };
}

/** Errors: the model-file codes (E_FILE_NOT_FOUND, E_SAFETENSORS_*, …) and E_CHECKPOINT. */
export function loadCheckpoint(file: string): LoadedCheckpoint {
  return decodeCheckpoint(readModelBytes(file), file);
}
