/**
 * Training checkpoints: a safetensors model file (lib/io/model-file, written atomically:
 * temp file, fsync, rename) whose main tensors are the current parameters, with the rest
 * of the training state as extra tensors — "adam.m", "adam.v" (Adam moments),
 * "train.hidden" (the B stream states), "train.best" (study: best parameters so far) —
 * and the counters and settings as metadata key "bi-embed.train" (JSON).
 */
import * as path from 'node:path';
import { ErrorCodes, fail } from '../errors';
import { loadModelFile, saveModel } from '../io/model-file';
import { Model } from '../model';
import { Recipe } from './recipes';

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

/** Errors: the model-file codes (E_FILE_NOT_FOUND, E_SAFETENSORS_*, …) and E_CHECKPOINT. */
export function loadCheckpoint(file: string): LoadedCheckpoint {
  const { model, extra } = loadModelFile(file, { format: 'safetensors' });
  const raw = model.metadata[CHECKPOINT_KEY];
  if (raw === undefined) fail(ErrorCodes.CHECKPOINT, `${file} is a model file, not a training checkpoint (no "${CHECKPOINT_KEY}" metadata)`);
  let info: CheckpointInfo;
  try {
    info = JSON.parse(raw) as CheckpointInfo;
  } catch (e) {
    fail(ErrorCodes.CHECKPOINT, `${file}: unreadable "${CHECKPOINT_KEY}" metadata: ${(e as Error).message}`);
  }
  if (info.hidden !== model.hidden) fail(ErrorCodes.CHECKPOINT, `${file}: metadata says H = ${info.hidden}, tensors say ${model.hidden}`);
  const hidden = extra.get('train.hidden');
  if (!hidden || hidden.length !== info.batch * info.hidden) fail(ErrorCodes.CHECKPOINT, `${file}: missing or misshapen "train.hidden"`);
  const state: TrainStateArrays = { params: model.params, hidden };
  if (info.optimizer === 'adam') {
    state.m = extra.get('adam.m');
    state.v = extra.get('adam.v');
    if (!state.m || !state.v || state.m.length !== model.params.length || state.v.length !== model.params.length) {
      fail(ErrorCodes.CHECKPOINT, `${file}: missing or misshapen Adam moments "adam.m"/"adam.v"`);
    }
  }
  if (info.recipe === 'study') {
    state.best = extra.get('train.best');
    if (!state.best || state.best.length !== model.params.length) fail(ErrorCodes.CHECKPOINT, `${file}: missing "train.best"`);
  }
  return { info, state };
}
