/**
 * The study's raw model format: paramCount(H) little-endian float32 in the order
 * Wx, Wh, bh, Wy, by, row-major, no header — 82,304 floats (329,216 bytes) at H = 128.
 * The file carries no H, so H is inferred from its size unless the caller names it.
 */
import { ErrorCodes, fail } from '../errors';
import { MAX_HIDDEN, MIN_HIDDEN, Model, checkFiniteParams, checkHidden, hiddenForParamCount, paramCount } from '../model';
import { HOST_IS_LITTLE_ENDIAN } from './endian';

const fmt = (n: number): string => n.toLocaleString('en-US');

function rawBytes(hidden: number): number {
  return 4 * paramCount(hidden);
}

/** The valid raw sizes closest below and above `n` bytes, for the error message. */
function nearestRawSizes(n: number): string {
  let lo = MIN_HIDDEN;
  while (lo < MAX_HIDDEN && rawBytes(lo + 1) <= n) lo++;
  const hi = Math.min(MAX_HIDDEN, rawBytes(lo) < n ? lo + 1 : lo);
  const sizes = [...new Set([lo, hi])].map((H) => `${fmt(rawBytes(H))} (H = ${H})`);
  return sizes.join(' or ');
}

function sizeError(n: number, hidden?: number): never {
  if (hidden !== undefined) {
    fail(ErrorCodes.RAW_SIZE, `raw model has ${fmt(n)} bytes; hidden size ${hidden} needs ${fmt(rawBytes(hidden))} bytes`);
  }
  fail(ErrorCodes.RAW_SIZE,
    `raw model has ${fmt(n)} bytes, which matches no hidden size ${MIN_HIDDEN}…${MAX_HIDDEN}: sizes are ` +
    `4·(H² + 513·H + 256) bytes, e.g. ${fmt(rawBytes(128))} for H = 128; nearest: ${nearestRawSizes(n)}`);
}

/** The hidden size of a raw file of `n` bytes (checked against `hidden` when given). Errors: E_RAW_SIZE. */
export function rawHiddenForSize(n: number, hidden?: number): number {
  if (hidden !== undefined) {
    checkHidden(hidden);
    if (n !== rawBytes(hidden)) sizeError(n, hidden);
    return hidden;
  }
  const inferred = n % 4 === 0 ? hiddenForParamCount(n / 4) : undefined;
  return inferred ?? sizeError(n);
}

function decodeFloat32LE(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length / 4);
  if (HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/**
 * Decodes a raw model. `hidden` fixes H; otherwise H is inferred from the length.
 * Errors: E_RAW_SIZE (length), E_HIDDEN_RANGE (bad `hidden`), E_NON_FINITE (NaN/Inf parameter).
 */
export function readRaw(bytes: Uint8Array, hidden?: number): Model {
  const H = rawHiddenForSize(bytes.length, hidden);
  const params = decodeFloat32LE(bytes);
  checkFiniteParams(H, params);
  return new Model(H, params);
}

/** Encodes a model as raw little-endian float32, byte-exact on any host. */
export function writeRaw(model: Model): Uint8Array {
  const { params } = model;
  if (HOST_IS_LITTLE_ENDIAN) {
    return new Uint8Array(params.buffer.slice(params.byteOffset, params.byteOffset + params.byteLength));
  }
  const out = new Uint8Array(params.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < params.length; i++) view.setFloat32(4 * i, params[i], true);
  return out;
}
