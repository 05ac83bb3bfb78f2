/**
 * A strict reader and writer of the safetensors format (huggingface/safetensors):
 *   8 bytes   N, little-endian u64
 *   N bytes   UTF-8 JSON object: name → {dtype, shape, data_offsets: [begin, end]}, plus an optional
 *             "__metadata__": {string: string}; may be padded with trailing spaces
 *   rest      the byte buffer; offsets are relative to its start, tensors are row-major little-endian.
 * The reader trusts nothing in the file: every length, offset and size is checked before use, and
 * the tensors must tile the byte buffer exactly (no gaps, no overlaps), as the reference requires.
 * The writer lays tensors out like the reference's `serialize`: by descending dtype order, then by
 * name, with the header padded by spaces to a multiple of 8 bytes so every tensor is 8-aligned.
 */
import { ErrorCodes, fail } from '../errors';
import { HOST_IS_LITTLE_ENDIAN } from './endian';

/** Element sizes in bytes, in the reference's `Dtype` order (which is its alignment order). */
const DTYPE_SIZES: ReadonlyMap<string, number> = new Map([
  ['BOOL', 1], ['U8', 1], ['I8', 1], ['F8_E5M2', 1], ['F8_E4M3', 1], ['F8_E8M0', 1],
  ['I16', 2], ['U16', 2], ['F16', 2], ['BF16', 2],
  ['I32', 4], ['U32', 4], ['F32', 4],
  ['C64', 8], ['F64', 8], ['I64', 8], ['U64', 8],
]);
const DTYPE_RANK: ReadonlyMap<string, number> = new Map([...DTYPE_SIZES.keys()].map((d, i) => [d, i]));

/** The reference refuses headers above 100 MB (MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

export type SafetensorsMetadata = Record<string, string>;

export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  /** A view into the input bytes (no copy). */
  data: Uint8Array;
}

export interface SafetensorsFile {
  metadata: SafetensorsMetadata;
  /** In data-offset order. */
  tensors: Map<string, SafetensorsEntry>;
}

/** Tensors the writer accepts: typed data for common dtypes, or raw little-endian bytes for any dtype. */
export type SafetensorsInput =
  | { name: string; dtype: 'F32'; shape: readonly number[]; data: Float32Array }
  | { name: string; dtype: 'F64'; shape: readonly number[]; data: Float64Array }
  | { name: string; dtype: 'I64'; shape: readonly number[]; data: BigInt64Array }
  | { name: string; dtype: 'I32'; shape: readonly number[]; data: Int32Array }
  | { name: string; dtype: 'U64'; shape: readonly number[]; data: BigUint64Array }
  | { name: string; dtype: 'U32'; shape: readonly number[]; data: Uint32Array }
  | { name: string; dtype: string; shape: readonly number[]; data: Uint8Array };

interface HeaderEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

export function dtypeSize(dtype: string): number | undefined {
  return DTYPE_SIZES.get(dtype);
}

// ───────────────────────────── reader ─────────────────────────────

function readHeaderLength(bytes: Uint8Array): number {
  if (bytes.length < 8) {
    fail(ErrorCodes.SAFETENSORS_TRUNCATED, `safetensors file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  }
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    fail(ErrorCodes.SAFETENSORS_HEADER, `safetensors header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const length = Number(n);
  if (8 + length > bytes.length) {
    fail(ErrorCodes.SAFETENSORS_TRUNCATED,
      `safetensors header declares ${length} bytes but the file has only ${bytes.length - 8} after the length field`);
  }
  return length;
}

function decodeHeaderText(bytes: Uint8Array, length: number): string {
  try {
    // ignoreBOM keeps a BOM in the text, so the '{' check below rejects it as the reference does.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(8, 8 + length));
  } catch {
    return fail(ErrorCodes.SAFETENSORS_HEADER, 'safetensors header is not valid UTF-8');
  }
}

/** Names and shapes come from untrusted headers: keep messages short. */
export function quote(s: string): string {
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s);
}

export function formatShape(shape: readonly number[]): string {
  return shape.length > 8 ? `[${shape.slice(0, 8).join(', ')}, … (${shape.length} dims)]` : `[${shape.join(', ')}]`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseHeaderJson(text: string): Record<string, unknown> {
  if (!text.startsWith('{')) fail(ErrorCodes.SAFETENSORS_HEADER, 'safetensors header does not start with "{"');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    fail(ErrorCodes.SAFETENSORS_HEADER, `safetensors header is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isPlainObject(parsed)) fail(ErrorCodes.SAFETENSORS_HEADER, 'safetensors header is not a JSON object');
  return parsed;
}

function parseMetadata(value: unknown): SafetensorsMetadata {
  // The reference reads "__metadata__": null as no metadata.
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) fail(ErrorCodes.SAFETENSORS_HEADER, '"__metadata__" must be an object of strings');
  const out: SafetensorsMetadata = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') fail(ErrorCodes.SAFETENSORS_HEADER, `"__metadata__" value for ${quote(key)} is not a string`);
    Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function parseShape(name: string, v: unknown): number[] {
  if (!Array.isArray(v) || !v.every(isIndex)) {
    fail(ErrorCodes.SAFETENSORS_TENSOR, `tensor ${quote(name)}: shape must be an array of non-negative integers`);
  }
  return v;
}

function parseOffsets(name: string, v: unknown): [number, number] {
  if (!Array.isArray(v) || v.length !== 2 || !isIndex(v[0]) || !isIndex(v[1])) {
    fail(ErrorCodes.SAFETENSORS_TENSOR, `tensor ${quote(name)}: data_offsets must be two non-negative integers`);
  }
  const [begin, end] = v;
  if (begin > end) fail(ErrorCodes.SAFETENSORS_TENSOR, `tensor ${quote(name)}: data_offsets begin ${begin} > end ${end}`);
  return [begin, end];
}

/** BigInt, so a shape like [2^40, 2^40] cannot overflow into a false match. */
function byteSize(shape: readonly number[], elementSize: number): bigint {
  return shape.reduce((acc, d) => acc * BigInt(d), BigInt(elementSize));
}

function parseEntry(name: string, v: unknown): HeaderEntry {
  if (!isPlainObject(v)) fail(ErrorCodes.SAFETENSORS_TENSOR, `tensor ${quote(name)}: entry is not an object`);
  // Unknown extra fields are ignored, as in the reference, for forward compatibility.
  const { dtype } = v;
  const size = typeof dtype === 'string' ? DTYPE_SIZES.get(dtype) : undefined;
  if (typeof dtype !== 'string' || size === undefined) {
    fail(ErrorCodes.SAFETENSORS_TENSOR, `tensor ${quote(name)}: unsupported dtype ${typeof dtype === 'string' ? quote(dtype) : typeof dtype}`);
  }
  const shape = parseShape(name, v.shape);
  const [begin, end] = parseOffsets(name, v.data_offsets);
  const expected = byteSize(shape, size);
  if (expected !== BigInt(end - begin)) {
    fail(ErrorCodes.SAFETENSORS_TENSOR,
      `tensor ${quote(name)}: ${dtype} of shape ${formatShape(shape)} needs ${expected} bytes, data_offsets span ${end - begin}`);
  }
  return { name, dtype, shape, begin, end };
}

/** Sorted by offsets, each tensor must start where the previous one ended. Returns the total. */
function checkTiling(entries: HeaderEntry[]): number {
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let cursor = 0;
  for (const e of entries) {
    if (e.begin < cursor) fail(ErrorCodes.SAFETENSORS_TENSOR, `tensor ${quote(e.name)} overlaps the previous tensor at byte ${e.begin}`);
    if (e.begin > cursor) fail(ErrorCodes.SAFETENSORS_TENSOR, `gap of ${e.begin - cursor} bytes before tensor ${quote(e.name)}`);
    cursor = e.end;
  }
  return cursor;
}

function checkDataLength(declared: number, actual: number): void {
  if (declared > actual) {
    fail(ErrorCodes.SAFETENSORS_TRUNCATED, `safetensors data is truncated: tensors need ${declared} bytes, file has ${actual}`);
  }
  if (declared < actual) {
    fail(ErrorCodes.SAFETENSORS_TENSOR, `${actual - declared} bytes after the last tensor are not covered by any tensor`);
  }
}

/**
 * Parses and validates a whole safetensors file held in memory. Tensor data are views into `bytes`.
 * Errors: E_SAFETENSORS_TRUNCATED (file shorter than declared), E_SAFETENSORS_HEADER (length field,
 * UTF-8, JSON, metadata), E_SAFETENSORS_TENSOR (dtype, shape, offsets, overlaps, gaps, trailing bytes).
 */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const headerLength = readHeaderLength(bytes);
  const header = parseHeaderJson(decodeHeaderText(bytes, headerLength));
  const metadata = parseMetadata(header[METADATA_KEY]);
  const entries = Object.entries(header)
    .filter(([name]) => name !== METADATA_KEY)
    .map(([name, v]) => parseEntry(name, v));
  const data = bytes.subarray(8 + headerLength);
  checkDataLength(checkTiling(entries), data.length);
  const tensors = new Map<string, SafetensorsEntry>(
    entries.map((e) => [e.name, { dtype: e.dtype, shape: e.shape, data: data.subarray(e.begin, e.end) }]),
  );
  return { metadata, tensors };
}

/**
 * The float32 values of an F32 tensor. An aligned view sharing memory with the input when the host is
 * little-endian and the data is 4-byte aligned; otherwise a copy. Errors: E_DTYPE for other dtypes.
 */
export function f32View(entry: SafetensorsEntry): Float32Array {
  if (entry.dtype !== 'F32') fail(ErrorCodes.DTYPE, `expected an F32 tensor, got ${entry.dtype}`);
  const { data } = entry;
  const n = data.length / 4;
  if (HOST_IS_LITTLE_ENDIAN && data.byteOffset % 4 === 0) return new Float32Array(data.buffer, data.byteOffset, n);
  if (HOST_IS_LITTLE_ENDIAN) return new Float32Array(data.slice().buffer);
  const out = new Float32Array(n);
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

// ───────────────────────────── writer ─────────────────────────────

interface PreparedTensor {
  name: string;
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/** Little-endian bytes of a typed array; a view on little-endian hosts, a byte-swapped copy otherwise. */
function littleEndianBytes(data: ArrayBufferView & { BYTES_PER_ELEMENT: number }): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const width = data.BYTES_PER_ELEMENT;
  if (HOST_IS_LITTLE_ENDIAN || width === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += width) {
    for (let k = 0; k < width; k++) out[i + k] = bytes[i + width - 1 - k];
  }
  return out;
}

function prepareTensor(t: SafetensorsInput, seen: Set<string>): PreparedTensor {
  if (t.name === METADATA_KEY || seen.has(t.name)) {
    fail(ErrorCodes.SAFETENSORS_TENSOR, `tensor name ${quote(t.name)} is reserved or repeated`);
  }
  seen.add(t.name);
  const size = DTYPE_SIZES.get(t.dtype);
  if (size === undefined) fail(ErrorCodes.SAFETENSORS_TENSOR, `tensor ${quote(t.name)}: unsupported dtype ${t.dtype}`);
  const shape = parseShape(t.name, [...t.shape]);
  const bytes = littleEndianBytes(t.data);
  if (byteSize(shape, size) !== BigInt(bytes.length)) {
    fail(ErrorCodes.SAFETENSORS_TENSOR,
      `tensor ${quote(t.name)}: ${t.dtype} of shape ${formatShape(shape)} does not match ${bytes.length} data bytes`);
  }
  return { name: t.name, dtype: t.dtype, shape, bytes };
}

/** UTF-8 byte order, as Rust's String ordering in the reference. */
function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** The reference's layout: descending dtype rank (largest alignment first), then name. */
function layoutOrder(a: PreparedTensor, b: PreparedTensor): number {
  return (DTYPE_RANK.get(b.dtype) ?? 0) - (DTYPE_RANK.get(a.dtype) ?? 0) || compareNames(a.name, b.name);
}

function checkMetadata(metadata: SafetensorsMetadata): SafetensorsMetadata {
  const sorted: SafetensorsMetadata = {};
  for (const key of Object.keys(metadata).sort(compareNames)) {
    const v: unknown = metadata[key];
    if (typeof v !== 'string') fail(ErrorCodes.SAFETENSORS_HEADER, `metadata value for ${quote(key)} is not a string`);
    Object.defineProperty(sorted, key, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return sorted;
}

/** Header JSON padded with spaces to a multiple of 8 bytes, like the reference. */
function encodeHeader(tensors: PreparedTensor[], metadata: SafetensorsMetadata): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  let offset = 0;
  for (const t of tensors) {
    const entry = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.length] };
    Object.defineProperty(header, t.name, { value: entry, enumerable: true, writable: true, configurable: true });
    offset += t.bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Buffer.alloc(Math.ceil(json.length / 8) * 8, 0x20);
  json.copy(padded);
  return padded;
}

/**
 * Serialises tensors and string metadata into one safetensors buffer.
 * Errors: E_SAFETENSORS_TENSOR (bad name, dtype or shape), E_SAFETENSORS_HEADER (non-string metadata).
 */
export function writeSafetensors(tensors: readonly SafetensorsInput[], metadata: SafetensorsMetadata = {}): Uint8Array {
  const seen = new Set<string>();
  const prepared = tensors.map((t) => prepareTensor(t, seen)).sort(layoutOrder);
  const header = encodeHeader(prepared, checkMetadata(metadata));
  const dataLength = prepared.reduce((n, t) => n + t.bytes.length, 0);
  const out = new Uint8Array(8 + header.length + dataLength);
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  let offset = 8 + header.length;
  for (const t of prepared) {
    out.set(t.bytes, offset);
    offset += t.bytes.length;
  }
  return out;
}
