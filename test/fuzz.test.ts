/**
 * Deterministic fuzzing of the model readers. Every mutant must either decode to a consistent Model
 * or throw a BiEmbedError whose code starts with "E_"; a TypeError, RangeError or hang is a bug.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Model, paramCount } from '../lib/model';
import { readRaw, writeRaw } from '../lib/io/raw';
import { readSafetensors } from '../lib/io/safetensors';
import { decodeModelFile, encodeSafetensorsModel, loadModel } from '../lib/io/model-file';
import { mulberry32 } from '../lib/random';
import { safetensorsFile } from './helpers';

type Rand = () => number;

const randInt = (rand: Rand, n: number): number => Math.floor(rand() * n);
const pick = <T>(rand: Rand, xs: readonly T[]): T => xs[randInt(rand, xs.length)];

function randomModel(H: number, seed: number): Model {
  const rand = mulberry32(seed);
  const model = new Model(H, new Float32Array(paramCount(H)).map(() => (rand() - 0.5) / 64));
  model.metadata = { seed: String(seed), lr: '0.002', corpusHash: 'deadbeef' };
  return model;
}

function withOptimiserState(H: number): Map<string, Float32Array> {
  return new Map([['adam.m.bh', new Float32Array(H).fill(0.1)], ['adam.step.t', new Float32Array([3])]]);
}

// ─────────────── mutators ───────────────

function truncate(rand: Rand, b: Uint8Array): Uint8Array {
  return b.slice(0, randInt(rand, b.length));
}

function flipBytes(rand: Rand, b: Uint8Array, from: number, to: number): Uint8Array {
  const out = b.slice();
  const count = 1 + randInt(rand, 8);
  for (let k = 0; k < count; k++) out[from + randInt(rand, Math.max(1, to - from))] ^= 1 + randInt(rand, 255);
  return out;
}

function randomBytes(rand: Rand, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, () => randInt(rand, 256));
}

function headerLengthOf(b: Uint8Array): number {
  return Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true));
}

function withHeaderLength(b: Uint8Array, n: bigint): Uint8Array {
  const out = b.slice();
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, n), true);
  return out;
}

function hugeLength(rand: Rand, b: Uint8Array): Uint8Array {
  const N = BigInt(headerLengthOf(b));
  const values = [2n ** 53n, 2n ** 64n - 1n, N + 1n, N - 1n, 0n, 1n, 7n, 100_000_000n, 100_000_001n,
    2n ** 32n, BigInt(b.length), BigInt(randInt(rand, 2 ** 31)) * 4096n];
  return withHeaderLength(b, pick(rand, values));
}

const NUMBER_SUBSTITUTES = ['1e300', '-1', '1.5', '"12"', '9007199254740993', '9007199254740992', 'null', '[]', '{}',
  '1e-300', '-0', '0', '4294967296', '18446744073709551616', 'true', '1E2', '0x10', '', '[1,2]'];
const DTYPE_SUBSTITUTES = ['F64', 'I32', 'U32', 'I8', 'BOOL', 'F4', 'f32', '', 'F32 ', 'U64', 'F16', 'BF16', 'C64', '__proto__'];
const GARBAGE = ['{', '}', '[', ']', ',', ':', '"', '\\', '\u0000', '\ud800', 'é', '{"x":', 'NaN', ' ', '\n', '"__metadata__":{}'];

/** Text-level JSON damage: what a hostile or buggy writer could produce. */
function mutateHeaderText(rand: Rand, text: string): string {
  const kind = randInt(rand, 8);
  const at = randInt(rand, text.length + 1);
  if (kind === 0) {
    const braces = [...text.matchAll(/[{}[\]]/g)].map((m) => m.index ?? 0);
    const i = braces.length > 0 ? pick(rand, braces) : at;
    return text.slice(0, i) + text.slice(i + 1);
  }
  if (kind === 1) return text.slice(0, at) + pick(rand, GARBAGE) + text.slice(at);
  if (kind === 2) {
    const numbers = [...text.matchAll(/\d+/g)];
    if (numbers.length === 0) return text;
    const m = pick(rand, numbers);
    const i = m.index ?? 0;
    return text.slice(0, i) + pick(rand, NUMBER_SUBSTITUTES) + text.slice(i + m[0].length);
  }
  if (kind === 3) return text.replace(/"F32"/, `"${pick(rand, DTYPE_SUBSTITUTES)}"`);
  if (kind === 4) return text.replace(/"(Wx|Wh|bh|Wy|by)"/, `"${pick(rand, ['wx', 'W', 'a.b', 'Wh', '__metadata__', '__proto__'])}"`);
  if (kind === 5) return text.slice(0, at) + text.slice(at + 1 + randInt(rand, 20));
  if (kind === 6) {
    // A whole entry or the metadata replaced by a value of another JSON type.
    const entries = [...text.matchAll(/:\{[^{}]*\}/g)];
    if (entries.length === 0) return text;
    const m = pick(rand, entries);
    const i = m.index ?? 0;
    return `${text.slice(0, i)}:${pick(rand, ['null', '5', '"x"', '[]', 'true', '{}'])}${text.slice(i + m[0].length)}`;
  }
  // Metadata values of the wrong type.
  return text.replace(/"hidden":"(\d+)"/, `"hidden":${pick(rand, ['$1', '"$1x"', 'null', '"0"', '"999"'])}`);
}

/** Rebuilds the file around a damaged header, keeping (or cutting) the data. */
function mutateHeader(rand: Rand, b: Uint8Array): Uint8Array {
  const N = headerLengthOf(b);
  const text = Buffer.from(b.subarray(8, 8 + N)).toString('utf8');
  let damaged = mutateHeaderText(rand, text);
  if (rand() < 0.3) damaged = mutateHeaderText(rand, damaged);
  return safetensorsFile(damaged, b.subarray(8 + N, rand() < 0.2 ? 8 + N + randInt(rand, b.length - 8 - N) : b.length));
}

function mutateSafetensors(rand: Rand, b: Uint8Array): Uint8Array {
  const N = headerLengthOf(b);
  const kind = randInt(rand, 6);
  if (kind === 0) return truncate(rand, b);
  if (kind === 1) return flipBytes(rand, b, 8, 8 + N);
  if (kind === 2) return flipBytes(rand, b, 8 + N, b.length);
  if (kind === 3) return hugeLength(rand, b);
  if (kind === 4) return flipBytes(rand, b, 0, 8);
  return mutateHeader(rand, b);
}

function mutateRaw(rand: Rand, b: Uint8Array): Uint8Array {
  const kind = randInt(rand, 4);
  if (kind === 0) return truncate(rand, b);
  if (kind === 1) return flipBytes(rand, b, 0, b.length);
  if (kind === 2) {
    // Exponent bits set to all ones make NaN or ±Inf.
    const out = b.slice();
    out[4 * randInt(rand, b.length / 4) + 3] |= 0x7f;
    out[4 * randInt(rand, b.length / 4) + 2] |= 0x80;
    return out;
  }
  const extra = randomBytes(rand, 1 + randInt(rand, 8));
  const out = new Uint8Array(b.length + extra.length);
  out.set(b);
  out.set(extra, b.length);
  return out;
}

// ─────────────── oracle ───────────────

interface Failure { id: string; detail: string }

function checkModel(m: Model): string | undefined {
  return m.params.length === paramCount(m.hidden) && m.by.length === 256 ? undefined : `inconsistent model H=${m.hidden}`;
}

/** Outcome tallies, so the test can show the mutants reach every check, not just the first. */
const outcomes = new Map<string, number>();
const tally = (key: string): void => { outcomes.set(key, (outcomes.get(key) ?? 0) + 1); };

/** Runs one decoder on one mutant; returns a description when the outcome is not allowed. */
function judge(run: () => Model | undefined): string | undefined {
  try {
    const m = run();
    tally('ok');
    return m === undefined ? undefined : checkModel(m);
  } catch (e) {
    const err = e as { name?: unknown; code?: unknown; message?: unknown };
    if (err.name === 'BiEmbedError' && typeof err.code === 'string' && err.code.startsWith('E_')) {
      tally(err.code);
      return undefined;
    }
    return `${String(err.name)}: ${String(err.message)}`;
  }
}

const decoders: Record<string, (b: Uint8Array) => Model | undefined> = {
  readSafetensors: (b) => { readSafetensors(b); return undefined; },
  safetensorsModel: (b) => decodeModelFile(b, 'safetensors').model,
  readRaw: (b) => readRaw(b),
  readRawH3: (b) => readRaw(b, 3),
  rawModel: (b) => decodeModelFile(b, 'raw').model,
};

function fuzz(id: string, mutant: Uint8Array, names: readonly string[], failures: Failure[]): void {
  for (const name of names) {
    const detail = judge(() => decoders[name](mutant));
    if (detail !== undefined) failures.push({ id: `${id}/${name}`, detail });
  }
}

const ST = ['readSafetensors', 'safetensorsModel'] as const;
const RAW = ['readRaw', 'readRawH3', 'rawModel'] as const;

describe('fuzzing the model readers', () => {
  const st3 = encodeSafetensorsModel(randomModel(3, 1), withOptimiserState(3));
  const st128 = encodeSafetensorsModel(randomModel(128, 2), withOptimiserState(128));
  const raw3 = writeRaw(randomModel(3, 3));
  const raw128 = writeRaw(randomModel(128, 4));

  test('the unmutated files decode', () => {
    expect(decodeModelFile(st3, 'safetensors').extra.size).toBe(2);
    expect(decodeModelFile(st128, 'safetensors').model.hidden).toBe(128);
    expect(readRaw(raw3).hidden).toBe(3);
    expect(readRaw(raw128).hidden).toBe(128);
  });

  test('≥ 3000 mutants: a valid Model or a coded BiEmbedError, nothing else', () => {
    const rand = mulberry32(0xb1e3bed);
    const failures: Failure[] = [];
    const plan: Array<[string, number, () => Uint8Array, readonly string[]]> = [
      ['st3', 1400, () => mutateSafetensors(rand, st3), ST],
      ['st128', 500, () => mutateSafetensors(rand, st128), ST],
      ['raw3', 500, () => mutateRaw(rand, raw3), RAW],
      ['raw128', 300, () => mutateRaw(rand, raw128), RAW],
      ['random', 300, () => randomBytes(rand, randInt(rand, 600)), [...ST, ...RAW]],
      // Random bytes behind a plausible header length, so the JSON parser sees garbage.
      ['random-header', 200, () => {
        const b = randomBytes(rand, 8 + randInt(rand, 300));
        return withHeaderLength(b, BigInt(randInt(rand, b.length)));
      }, ST],
    ];
    let count = 0;
    for (const [name, n, make, names] of plan) {
      for (let i = 0; i < n; i++, count++) fuzz(`${name}#${i}`, make(), names, failures);
    }
    expect(count).toBeGreaterThanOrEqual(3000);
    expect(failures.slice(0, 10)).toEqual([]);
    expect([...outcomes.keys()].sort()).toEqual(expect.arrayContaining([
      'E_DTYPE', 'E_MODEL_FORMAT', 'E_NON_FINITE', 'E_RAW_SIZE', 'E_SAFETENSORS_HEADER', 'E_SAFETENSORS_TENSOR',
      'E_SAFETENSORS_TRUNCATED', 'E_SHAPE', 'ok',
    ]));
  }, 60_000);

  test('pathological headers: deep nesting, huge strings, prototype keys', () => {
    const stFile = (text: string): Uint8Array => {
      const header = Buffer.from(text, 'utf8');
      const out = new Uint8Array(8 + header.length);
      new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
      out.set(header, 8);
      return out;
    };
    const cases = [
      `{"a":{"dtype":"F32","shape":${'['.repeat(200_000)}${']'.repeat(200_000)},"data_offsets":[0,0]}}`,
      `{"${'x'.repeat(1_000_000)}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}`,
      `{"a":{"dtype":"F32","shape":[${Array(100_000).fill(1).join(',')}],"data_offsets":[0,4]}}`,
      '{"__proto__":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}',
      '{"__metadata__":{"__proto__":"x","constructor":"y"}}',
      '{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}',
    ];
    const failures: Failure[] = [];
    cases.forEach((text, i) => fuzz(`pathological#${i}`, stFile(text), ST, failures));
    expect(failures).toEqual([]);
  });

  test('a few mutants through loadModel from disk', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bi-embed-fuzz-'));
    const rand = mulberry32(7);
    const failures: Failure[] = [];
    try {
      for (let i = 0; i < 40; i++) {
        const isRaw = i % 2 === 1;
        const mutant = isRaw ? mutateRaw(rand, raw3) : mutateSafetensors(rand, st3);
        const file = path.join(dir, `m${i}${isRaw ? '.bin' : '.safetensors'}`);
        fs.writeFileSync(file, mutant);
        const detail = judge(() => loadModel(file));
        if (detail !== undefined) failures.push({ id: `disk#${i}`, detail });
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(failures).toEqual([]);
  });
});
