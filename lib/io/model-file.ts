/**
 * Model files on disk: the study's raw format and our native safetensors layout (docs/formats.md).
 * A safetensors model file holds exactly Wx [H,256], Wh [H,H], bh [H], Wy [256,H], by [256] as F32,
 * plus optional extra F32 tensors whose names contain a '.' (e.g. the optimiser's "adam.m.Wx"),
 * and string metadata: "format": "bi-embed", "version": "1", "hidden": H, and model.metadata.
 * Decoding and encoding are pure functions over bytes; load/save add file I/O and atomic writes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { BiEmbedError, ErrorCodes, fail } from '../errors';
import { MAX_HIDDEN, MIN_HIDDEN, Model, ModelMetadata, TENSOR_NAMES, VOCAB, checkFiniteParams, tensorLayout } from '../model';
import { writeFileAtomic } from './atomic';
import { readRegularFile } from './files';
import { checkOutputPaths } from './outputs';
import { checkOptions, checkPath, shown } from '../validate';
import { rawHiddenForSize, readRaw, writeRaw } from './raw';
import {
  SafetensorsEntry, SafetensorsInput, f32View, formatShape, quote, readSafetensors, writeSafetensors,
} from './safetensors';

export type ModelFormat = 'raw' | 'safetensors';

export interface LoadOptions {
  /** Overrides the format implied by the file extension. */
  format?: ModelFormat;
  /** Raw files only: the hidden size (otherwise inferred from the file size). */
  hidden?: number;
}

export interface SaveOptions {
  format?: ModelFormat;
  /** Safetensors only: extra F32 tensors (names must contain a '.'), stored 1-D. */
  extra?: ReadonlyMap<string, Float32Array>;
}

export interface LoadedModelFile {
  model: Model;
  /** Extra tensors (flattened), e.g. optimiser state; empty for raw files. */
  extra: Map<string, Float32Array>;
}

export const FORMAT_NAME = 'bi-embed';
export const FORMAT_VERSION = '1';
/** Metadata keys written by the file layer itself; they are not copied into model.metadata. */
export const RESERVED_METADATA_KEYS: readonly string[] = ['format', 'version', 'hidden'];

const EXTENSIONS: Readonly<Record<string, ModelFormat>> = {
  '.bin': 'raw', '.raw': 'raw', '.safetensors': 'safetensors', '.st': 'safetensors',
};
/** The extensions a model file may have, and those of safetensors (which hold metadata and extra tensors). */
export const MODEL_EXTENSIONS: readonly string[] = Object.keys(EXTENSIONS);
export const SAFETENSORS_EXTENSIONS: readonly string[] = ['.safetensors', '.st'];

/** The format named by `opts.format`, else by the extension. Errors: E_MODEL_FORMAT. */
export function modelFormatFor(file: string, format?: ModelFormat): ModelFormat {
  if (format !== undefined) {
    if (format !== 'raw' && format !== 'safetensors') fail(ErrorCodes.MODEL_FORMAT, `unknown model format "${String(format)}"`);
    return format;
  }
  const ext = path.extname(file).toLowerCase();
  const byExt = EXTENSIONS[ext];
  if (byExt === undefined) {
    fail(ErrorCodes.MODEL_FORMAT,
      `cannot tell the model format of ${file} from its extension "${ext}": use .bin/.raw (raw) or ` +
      '.safetensors/.st, or pass a format');
  }
  return byExt;
}

// ───────────────────────────── decoding ─────────────────────────────

function requireTensor(tensors: Map<string, SafetensorsEntry>, name: string): SafetensorsEntry {
  const t = tensors.get(name);
  if (t === undefined) fail(ErrorCodes.SHAPE, `model file has no tensor "${name}"`);
  if (t.dtype !== 'F32') fail(ErrorCodes.DTYPE, `tensor "${name}" must be F32, got ${t.dtype}`);
  return t;
}

/** H is read from bh, then every tensor's shape is checked against the layout for that H. */
function hiddenFromShapes(tensors: Map<string, SafetensorsEntry>): number {
  const { shape } = requireTensor(tensors, 'bh');
  const H = shape.length === 1 ? shape[0] : NaN;
  if (!(H >= MIN_HIDDEN && H <= MAX_HIDDEN)) {
    fail(ErrorCodes.SHAPE, `tensor "bh" must have shape [H] with H in ${MIN_HIDDEN}…${MAX_HIDDEN}, got ${formatShape(shape)}`);
  }
  for (const layout of tensorLayout(H)) {
    const actual = requireTensor(tensors, layout.name).shape;
    if (actual.length !== layout.shape.length || actual.some((d, i) => d !== layout.shape[i])) {
      fail(ErrorCodes.SHAPE, `tensor "${layout.name}" has shape ${formatShape(actual)}, expected ${formatShape(layout.shape)} for H = ${H}`);
    }
  }
  return H;
}

function checkFileMetadata(metadata: ModelMetadata, H: number): void {
  const { format, version, hidden } = metadata;
  // Files written by other tools (e.g. safetensors.torch.save_file) carry no format keys: accept them.
  if (format !== undefined && format !== FORMAT_NAME) fail(ErrorCodes.MODEL_FORMAT, `metadata format ${quote(format)} is not "${FORMAT_NAME}"`);
  if (version !== undefined && version !== FORMAT_VERSION) {
    fail(ErrorCodes.MODEL_FORMAT, `model file version ${quote(version)} is not supported (expected "${FORMAT_VERSION}")`);
  }
  if (hidden !== undefined && hidden !== String(H)) {
    fail(ErrorCodes.SHAPE, `metadata says hidden = ${quote(hidden)} but the tensor shapes give H = ${H}`);
  }
}

function modelMetadataFrom(metadata: ModelMetadata): ModelMetadata {
  return Object.fromEntries(Object.entries(metadata).filter(([k]) => !RESERVED_METADATA_KEYS.includes(k)));
}

function extraTensors(tensors: Map<string, SafetensorsEntry>): Map<string, Float32Array> {
  const extra = new Map<string, Float32Array>();
  for (const [name, entry] of tensors) {
    if ((TENSOR_NAMES as readonly string[]).includes(name)) continue;
    if (!name.includes('.')) fail(ErrorCodes.SHAPE, `unexpected tensor ${quote(name)} (extra tensor names must contain a '.')`);
    if (entry.dtype !== 'F32') fail(ErrorCodes.DTYPE, `extra tensor ${quote(name)} must be F32, got ${entry.dtype}`);
    extra.set(name, f32View(entry).slice());
  }
  return extra;
}

/** Decodes a safetensors model file held in memory. */
export function decodeSafetensorsModel(bytes: Uint8Array): LoadedModelFile {
  const file = readSafetensors(bytes);
  const H = hiddenFromShapes(file.tensors);
  checkFileMetadata(file.metadata, H);
  const model = new Model(H, undefined, modelMetadataFrom(file.metadata));
  for (const name of TENSOR_NAMES) model.tensor(name).set(f32View(requireTensor(file.tensors, name)));
  checkFiniteParams(H, model.params);
  return { model, extra: extraTensors(file.tensors) };
}

/**
 * Decodes a model file held in memory (the fuzzable core of loadModelFile).
 * Errors: every E_SAFETENSORS_*, E_RAW_SIZE, E_SHAPE, E_DTYPE, E_NON_FINITE, E_MODEL_FORMAT code.
 */
export function decodeModelFile(bytes: Uint8Array, format: ModelFormat, hidden?: number): LoadedModelFile {
  if (format === 'raw') return { model: readRaw(bytes, hidden), extra: new Map() };
  const loaded = decodeSafetensorsModel(bytes);
  if (hidden !== undefined && loaded.model.hidden !== hidden) {
    fail(ErrorCodes.SHAPE, `model file has H = ${loaded.model.hidden}, expected ${hidden}`);
  }
  return loaded;
}

// ───────────────────────────── encoding ─────────────────────────────

function fileMetadata(model: Model): ModelMetadata {
  return {
    ...model.metadata,
    format: FORMAT_NAME,
    version: FORMAT_VERSION,
    hidden: String(model.hidden),
  };
}

function extraInputs(extra: ReadonlyMap<string, Float32Array>): SafetensorsInput[] {
  return [...extra].map(([name, data]) => {
    if (!name.includes('.')) fail(ErrorCodes.OPTION, `extra tensor name "${name}" must contain a '.'`);
    if (!(data instanceof Float32Array)) fail(ErrorCodes.DTYPE, `extra tensor "${name}" must be a Float32Array`);
    return { name, dtype: 'F32', shape: [data.length], data };
  });
}

/** Encodes a model (and optional extra tensors) as a safetensors file. */
export function encodeSafetensorsModel(model: Model, extra: ReadonlyMap<string, Float32Array> = new Map()): Uint8Array {
  const tensors: SafetensorsInput[] = tensorLayout(model.hidden).map((l) => (
    { name: l.name, dtype: 'F32', shape: l.shape, data: model.tensor(l.name) }
  ));
  return writeSafetensors([...tensors, ...extraInputs(extra)], fileMetadata(model));
}

/** Encodes a model in the given format. Raw files cannot hold metadata or extra tensors. Errors: E_NON_FINITE, E_OPTION. */
export function encodeModelFile(model: Model, format: ModelFormat, extra?: ReadonlyMap<string, Float32Array>): Uint8Array {
  checkFiniteParams(model.hidden, model.params); // a file no reader would accept is never written
  if (format === 'safetensors') return encodeSafetensorsModel(model, extra);
  if (extra !== undefined && extra.size > 0) fail(ErrorCodes.OPTION, 'raw model files cannot hold extra tensors; use .safetensors');
  return writeRaw(model);
}

// ───────────────────────────── file I/O ─────────────────────────────

function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function readError(file: string, e: unknown): BiEmbedError {
  if (errnoCode(e) === 'ENOENT') return new BiEmbedError(ErrorCodes.FILE_NOT_FOUND, `model file not found: ${file}`);
  const reason = e instanceof Error ? e.message : String(e);
  return new BiEmbedError(ErrorCodes.FILE_READ, `cannot read model file ${file}: ${reason}`);
}

/** Size of a regular file. Errors: E_FILE_NOT_FOUND, E_FILE_READ (directory, special file, no access). */
function regularFileSize(file: string): number {
  let stats: fs.Stats;
  try {
    stats = fs.statSync(file);
  } catch (e) {
    throw readError(file, e);
  }
  if (!stats.isFile()) fail(ErrorCodes.FILE_READ, `cannot read model file ${file}: not a regular file`);
  return stats.size;
}

/** Whole-file read with coded errors. Errors: E_FILE_NOT_FOUND, E_FILE_READ (directory, FIFO, device). */
export function readModelBytes(file: string): Uint8Array {
  return readRegularFile(file, 'model');
}

/** Prefixes the file name to decoding errors, keeping their code. */
function withFileName<T>(file: string, decode: () => T): T {
  try {
    return decode();
  } catch (e) {
    if (e instanceof BiEmbedError) throw new BiEmbedError(e.code, `${file}: ${e.message}`);
    throw e;
  }
}

/** Loads a model with any extra tensors stored beside it. */
export function loadModelFile(file: string, options?: LoadOptions): LoadedModelFile {
  checkPath('a model file', file);
  const opts = checkOptions('loadModel', options);
  const format = modelFormatFor(file, opts.format);
  // A raw file's size alone decides its validity: refuse a mistaken 1 GB corpus before reading it.
  const size = regularFileSize(file);
  if (format === 'raw') withFileName(file, () => rawHiddenForSize(size, opts.hidden));
  const bytes = readModelBytes(file);
  return withFileName(file, () => decodeModelFile(bytes, format, opts.hidden));
}

/** Loads a model from a raw or safetensors file. */
export function loadModel(file: string, opts: LoadOptions = {}): Model {
  return loadModelFile(file, opts).model;
}

/** Saves a model atomically. Errors: E_MODEL_FORMAT, E_FILE_WRITE. */
export function saveModel(model: Model, file: string, options?: SaveOptions): void {
  if (!(model instanceof Model)) fail(ErrorCodes.OPTION, `saveModel needs a Model, got ${shown(model)}`);
  checkPath('a model file', file);
  const opts = checkOptions('saveModel', options);
  const format = modelFormatFor(file, opts.format);
  writeFileAtomic(file, encodeModelFile(model, format, opts.extra));
}

/** Converts between formats by extension; extra tensors survive safetensors → safetensors only. */
export function convertModel(inPath: string, outPath: string, opts: { hidden?: number } = {}): void {
  checkPath('the input model', inPath);
  checkOutputPaths([{ path: outPath, what: 'output model', extensions: MODEL_EXTENSIONS }], [inPath]);
  const { model, extra } = loadModelFile(inPath, { hidden: opts.hidden });
  const format = modelFormatFor(outPath);
  saveModel(model, outPath, { format, extra: format === 'safetensors' ? extra : undefined });
}
