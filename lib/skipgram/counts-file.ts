/**
 * Skip-gram count tables on disk (docs/skipgram.md "Count files"): safetensors with the 1-D
 * tensors contexts U64, next U8, counts U32 and the metadata format, version, offsets ("1,8,20,3")
 * and positions. Saving checks the table and writes atomically; loading checks everything
 * (the reader's E_SAFETENSORS_*, then E_MODEL_FORMAT, E_SHAPE, E_DTYPE, E_COUNT_TABLE, E_RANGE).
 */
import { BiEmbedError, ErrorCodes, fail } from '../errors';
import { writeFileAtomic } from '../io/atomic';
import { HOST_IS_LITTLE_ENDIAN } from '../io/endian';
import { readRegularFile } from '../io/files';
import { SafetensorsEntry, quote, readSafetensors, writeSafetensors } from '../io/safetensors';
import { native } from '../native';
import { SkipgramCounts, toNativeTable } from './counts';
import { checkOffsets } from './options';

export const COUNTS_FORMAT = 'bi-embed-skipgram-counts';
export const COUNTS_VERSION = '1';
const TENSORS = { contexts: 'U64', next: 'U8', counts: 'U32' } as const;

/** Encodes a table (checked natively first: an invalid table is never written). */
export function encodeSkipgramCounts(c: SkipgramCounts): Uint8Array {
  const t = toNativeTable(c);
  native().skipgramTableCheck(t);
  const n = [t.contexts.length];
  return writeSafetensors([
    { name: 'contexts', dtype: 'U64', shape: n, data: t.contexts },
    { name: 'next', dtype: 'U8', shape: n, data: t.next },
    { name: 'counts', dtype: 'U32', shape: n, data: t.counts },
  ], { format: COUNTS_FORMAT, version: COUNTS_VERSION, offsets: c.offsets.join(','), positions: String(c.positions) });
}

/** The tensor's elements: a view of the file's bytes when aligned on a little-endian host, else a copy. */
function elements<T>(e: SafetensorsEntry, Ctor: { new(b: ArrayBufferLike, off: number, n: number): T; BYTES_PER_ELEMENT: number },
  read: (v: DataView, at: number) => number | bigint, n: number): T {
  const w = Ctor.BYTES_PER_ELEMENT;
  if (HOST_IS_LITTLE_ENDIAN) {
    const d = e.data.byteOffset % w === 0 ? e.data : e.data.slice();
    return new Ctor(d.buffer, d.byteOffset, n);
  }
  const out = new Ctor(new ArrayBuffer(n * w), 0, n) as unknown as { [i: number]: number | bigint };
  const v = new DataView(e.data.buffer, e.data.byteOffset, e.data.length);
  for (let i = 0; i < n; i++) out[i] = read(v, i * w);
  return out as unknown as T;
}

function tensor(tensors: Map<string, SafetensorsEntry>, name: keyof typeof TENSORS): SafetensorsEntry {
  const t = tensors.get(name);
  if (t === undefined) fail(ErrorCodes.SHAPE, `count file has no tensor "${name}"`);
  if (t.dtype !== TENSORS[name]) fail(ErrorCodes.DTYPE, `tensor "${name}" must be ${TENSORS[name]}, got ${t.dtype}`);
  if (t.shape.length !== 1) fail(ErrorCodes.SHAPE, `tensor "${name}" must be 1-D, got ${t.shape.length} dimensions`);
  return t;
}

function parseOffsets(text: string | undefined): number[] {
  if (text === undefined || !/^(\d{1,8}(,\d{1,8})*)?$/.test(text)) {
    fail(ErrorCodes.COUNT_TABLE, `metadata offsets must be a comma-separated list of integers, got ${text === undefined ? 'none' : quote(text)}`);
  }
  const offsets = text === '' ? [] : text.split(',').map(Number);
  try {
    return checkOffsets(offsets);
  } catch (e) {
    return fail(ErrorCodes.COUNT_TABLE, `metadata ${(e as Error).message}`);
  }
}

function parsePositions(text: string | undefined): number {
  if (text === undefined || !/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    fail(ErrorCodes.COUNT_TABLE, `metadata positions must be a non-negative integer, got ${text === undefined ? 'none' : quote(text)}`);
  }
  return Number(text);
}

/** Decodes a count file held in memory (the fuzzable core of loadSkipgramCounts). */
export function decodeSkipgramCounts(bytes: Uint8Array): SkipgramCounts {
  const file = readSafetensors(bytes);
  const { format, version } = file.metadata;
  if (format !== COUNTS_FORMAT) fail(ErrorCodes.MODEL_FORMAT, `metadata format ${format === undefined ? 'missing' : quote(format)}, expected "${COUNTS_FORMAT}"`);
  if (version !== COUNTS_VERSION) fail(ErrorCodes.MODEL_FORMAT, `count file version ${quote(String(version))} is not supported (expected "${COUNTS_VERSION}")`);
  for (const name of file.tensors.keys()) {
    if (!(name in TENSORS)) fail(ErrorCodes.SHAPE, `unexpected tensor ${quote(name)} in a count file`);
  }
  const [c, y, k] = [tensor(file.tensors, 'contexts'), tensor(file.tensors, 'next'), tensor(file.tensors, 'counts')];
  const n = c.shape[0];
  if (y.shape[0] !== n || k.shape[0] !== n) fail(ErrorCodes.SHAPE, `contexts, next and counts must have one length, got ${n}, ${y.shape[0]}, ${k.shape[0]}`);
  const counts: SkipgramCounts = {
    offsets: parseOffsets(file.metadata.offsets),
    positions: parsePositions(file.metadata.positions),
    contexts: elements(c, BigUint64Array, (v, at) => v.getBigUint64(at, true), n),
    next: elements(y, Uint8Array, (v, at) => v.getUint8(at), n),
    counts: elements(k, Uint32Array, (v, at) => v.getUint32(at, true), n),
  };
  native().skipgramTableCheck(toNativeTable(counts));
  return counts;
}

/** Saves a table atomically. Errors: those of the table's check, E_FILE_WRITE. */
export function saveSkipgramCounts(file: string, counts: SkipgramCounts): void {
  writeFileAtomic(file, encodeSkipgramCounts(counts));
}

/** Loads a table saved by saveSkipgramCounts. Errors: E_FILE_NOT_FOUND, E_FILE_READ, and decoding's. */
export function loadSkipgramCounts(file: string): SkipgramCounts {
  const bytes = readRegularFile(file, 'count');
  try {
    return decodeSkipgramCounts(bytes);
  } catch (e) {
    if (e instanceof BiEmbedError) throw new BiEmbedError(e.code, `${file}: ${e.message}`);
    throw e;
  }
}
