/**
 * Model file I/O: raw and safetensors round trips, strict rejection of bad files (asserting codes,
 * never instanceof), atomic writes, and a check of our safetensors output by an independent reader.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { Model, paramCount, tensorLayout } from '../lib/model';
import { writeFileAtomic, writeFileAtomicAsync } from '../lib/io/atomic';
import { readRaw, writeRaw } from '../lib/io/raw';
import { SafetensorsInput, f32View, readSafetensors, writeSafetensors } from '../lib/io/safetensors';
import {
  convertModel, decodeModelFile, encodeSafetensorsModel, loadModel, loadModelFile, saveModel,
} from '../lib/io/model-file';
import { mulberry32 } from '../lib/random';
import { safetensorsFile } from './helpers';

const REPO_ROOT = path.resolve(__dirname, '..');

/** The study's model must be present: a missing folder is a failure, not a skip. */
function studyModelPath(): string {
  const dir = path.resolve(REPO_ROOT, process.env.BI_EMBED_STUDY_DIR ?? '../shared/study');
  const file = path.join(dir, 'sat_model.bin');
  if (!fs.existsSync(file)) {
    throw new Error(`study model not found at ${file}: set BI_EMBED_STUDY_DIR to the folder holding sat_model.bin`);
  }
  return file;
}

function randomModel(H: number, seed: number): Model {
  const rand = mulberry32(seed);
  const params = new Float32Array(paramCount(H)).map(() => (rand() - 0.5) * 4);
  return new Model(H, params);
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    const err = e as { code?: unknown; name?: unknown };
    expect(err.name).toBe('BiEmbedError');
    return String(err.code);
  }
  throw new Error('expected an error, none was thrown');
}

async function codeOfAsync(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (e) {
    const err = e as { code?: unknown; name?: unknown };
    expect(err.name).toBe('BiEmbedError');
    return String(err.code);
  }
  throw new Error('expected an error, none was thrown');
}

function setHeaderLength(bytes: Uint8Array, n: bigint): Uint8Array {
  const out = bytes.slice();
  new DataView(out.buffer).setBigUint64(0, n, true);
  return out;
}

function modelInputs(model: Model): SafetensorsInput[] {
  return tensorLayout(model.hidden).map((l) => ({ name: l.name, dtype: 'F32', shape: l.shape, data: model.tensor(l.name) }));
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
}

let tmp: string;
beforeAll(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bi-embed-io-')); });
afterAll(() => { fs.rmSync(tmp, { recursive: true, force: true }); });
const inTmp = (name: string): string => path.join(tmp, name);

describe('raw format', () => {
  test('study model: raw → safetensors → raw is byte-identical', () => {
    const rawPath = studyModelPath();
    const original = fs.readFileSync(rawPath);
    expect(original.length).toBe(329216);
    const model = loadModel(rawPath);
    expect(model.hidden).toBe(128);
    expect(model.paramCount).toBe(82304);
    expect(bytesEqual(writeRaw(model), original)).toBe(true);

    const st = inTmp('study.safetensors');
    const back = inTmp('study-back.bin');
    convertModel(rawPath, st);
    convertModel(st, back);
    expect(bytesEqual(fs.readFileSync(back), original)).toBe(true);
  });

  test.each([1, 7, 128])('random model H=%i: raw → safetensors → raw is byte-identical', (H) => {
    const model = randomModel(H, 1000 + H);
    const raw = writeRaw(model);
    expect(raw.length).toBe(4 * paramCount(H));
    const viaSt = decodeModelFile(encodeSafetensorsModel(model), 'safetensors').model;
    expect(viaSt.hidden).toBe(H);
    expect(bytesEqual(writeRaw(viaSt), raw)).toBe(true);
    expect(bytesEqual(writeRaw(readRaw(raw)), raw)).toBe(true);
    expect(readRaw(raw, H).hidden).toBe(H);
  });

  test('raw layout is Wx, Wh, bh, Wy, by, little-endian float32', () => {
    const model = new Model(1);
    model.Wx[0] = 1.5; model.by[255] = -2;
    const raw = writeRaw(model);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
    expect(view.getFloat32(0, true)).toBe(1.5);
    expect(view.getFloat32(raw.length - 4, true)).toBe(-2);
  });

  test.each([0, 1, 329215, 329220])('raw of %i bytes → E_RAW_SIZE naming valid sizes', (n) => {
    expect(codeOf(() => readRaw(new Uint8Array(n)))).toBe('E_RAW_SIZE');
    try { readRaw(new Uint8Array(n)); } catch (e) { expect((e as Error).message).toMatch(/329,216/); }
  });

  test('raw whose size disagrees with the given hidden size → E_RAW_SIZE', () => {
    expect(codeOf(() => readRaw(writeRaw(randomModel(7, 1)), 8))).toBe('E_RAW_SIZE');
    expect(codeOf(() => readRaw(writeRaw(randomModel(7, 1)), 0))).toBe('E_HIDDEN_RANGE');
  });

  test.each([NaN, Infinity, -Infinity])('non-finite raw value %p → E_NON_FINITE naming the tensor', (v) => {
    const model = randomModel(7, 2);
    model.Wh[7 * 3 + 2] = v;
    const raw = writeRaw(model);
    expect(codeOf(() => readRaw(raw))).toBe('E_NON_FINITE');
    try { readRaw(raw); } catch (e) { expect((e as Error).message).toMatch(/Wh\[3\]\[2\]/); }
  });
});

describe('safetensors reader and writer', () => {
  test('writer layout matches the reference: sorted by dtype then name, header padded to 8', () => {
    const bytes = writeSafetensors([
      { name: 'b', dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) },
      { name: 'u', dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) },
      { name: 'a', dtype: 'F32', shape: [1], data: new Float32Array([3]) },
      { name: 'd', dtype: 'F64', shape: [1], data: new Float64Array([0.25]) },
      { name: 'i', dtype: 'I64', shape: [1], data: new BigInt64Array([-5n]) },
    ], { z: '1', a: '2' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const file = readSafetensors(bytes);
    expect([...file.tensors.keys()]).toEqual(['i', 'd', 'a', 'b', 'u']);
    expect(file.metadata).toEqual({ a: '2', z: '1' });
    expect(Array.from(f32View(file.tensors.get('b')!))).toEqual([1, 2]);
    const header = Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8');
    expect(header.startsWith('{"__metadata__":{"a":"2","z":"1"},"i":')).toBe(true);
  });

  test('writer reproduces the reference serialisation of a single F32 tensor', () => {
    const data = new Float32Array([0, 1, 2, 3, 4, 5]);
    const exact = writeSafetensors([{ name: 'attn.0', dtype: 'F32', shape: [1, 2, 3], data }]);
    const text = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(text.length).toBe(64);
    expect(Array.from(exact.subarray(0, 8))).toEqual([64, 0, 0, 0, 0, 0, 0, 0]);
    expect(Buffer.from(exact.subarray(8, 72)).toString()).toBe(text);
    const padded = writeSafetensors([{ name: 'attn0', dtype: 'F32', shape: [1, 1, 2, 3], data }]);
    expect(padded[0]).toBe(72);
    expect(Buffer.from(padded.subarray(8, 80)).toString().endsWith('}}       ')).toBe(true);
  });

  test('empty file and unaligned data read correctly', () => {
    expect(readSafetensors(writeSafetensors([])).tensors.size).toBe(0);
    const bytes = writeSafetensors([{ name: 'x', dtype: 'F32', shape: [3], data: new Float32Array([1, -2, 3.5]) }]);
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    expect(Array.from(f32View(readSafetensors(shifted).tensors.get('x')!))).toEqual([1, -2, 3.5]);
  });

  const valid = (): Uint8Array => writeSafetensors([
    { name: 'a', dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) },
    { name: 'b', dtype: 'F32', shape: [1], data: new Float32Array([3]) },
  ]);
  const headerLength = (b: Uint8Array): number => Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  const data12 = new Uint8Array(12);
  const entry = (dtype: unknown, shape: unknown, offsets: unknown): object => ({ dtype, shape, data_offsets: offsets });

  test.each<[string, string, () => Uint8Array]>([
    ['fewer than 8 bytes', 'E_SAFETENSORS_TRUNCATED', () => new Uint8Array(7)],
    ['truncated data', 'E_SAFETENSORS_TRUNCATED', () => valid().subarray(0, valid().length - 1)],
    ['truncated inside the header', 'E_SAFETENSORS_TRUNCATED', () => valid().subarray(0, 20)],
    ['header length N+1 beyond the file', 'E_SAFETENSORS_TRUNCATED', () => { const b = valid(); return setHeaderLength(b, BigInt(b.length - 7)); }],
    ['header length 2^64−1', 'E_SAFETENSORS_HEADER', () => setHeaderLength(valid(), 2n ** 64n - 1n)],
    ['header length 2^53', 'E_SAFETENSORS_HEADER', () => setHeaderLength(valid(), 2n ** 53n)],
    ['header length above 100 MB', 'E_SAFETENSORS_HEADER', () => setHeaderLength(valid(), 100_000_001n)],
    ['header length N−1 (a byte of padding moves into the data)', 'E_SAFETENSORS_TENSOR', () => { const b = valid(); return setHeaderLength(b, BigInt(headerLength(b) - 1)); }],
    ['header length N−1 (cuts the JSON)', 'E_SAFETENSORS_HEADER', () => { const b = safetensorsFile({}); return setHeaderLength(b, 1n); }],
    ['header not JSON', 'E_SAFETENSORS_HEADER', () => safetensorsFile('{"a": nope}')],
    ['header JSON array', 'E_SAFETENSORS_HEADER', () => safetensorsFile('[1, 2]')],
    ['header JSON string', 'E_SAFETENSORS_HEADER', () => safetensorsFile('"text"')],
    ['header with BOM', 'E_SAFETENSORS_HEADER', () => safetensorsFile('\ufeff{}')],
    ['header invalid UTF-8', 'E_SAFETENSORS_HEADER', () => { const b = safetensorsFile('{"\u00e9":1}'); b[11] = 0xff; return b; }],
    ['metadata value not a string', 'E_SAFETENSORS_HEADER', () => safetensorsFile({ __metadata__: { a: 1 } })],
    ['metadata an array', 'E_SAFETENSORS_HEADER', () => safetensorsFile({ __metadata__: ['a'] })],
    ['entry not an object', 'E_SAFETENSORS_TENSOR', () => safetensorsFile({ a: [1] })],
    ['bad dtype name', 'E_SAFETENSORS_TENSOR', () => safetensorsFile({ a: entry('F33', [3], [0, 12]) }, data12)],
    ['dtype not a string', 'E_SAFETENSORS_TENSOR', () => safetensorsFile({ a: entry(4, [3], [0, 12]) }, data12)],
    ['shape disagrees with offsets', 'E_SAFETENSORS_TENSOR', () => safetensorsFile({ a: entry('F32', [2], [0, 12]) }, data12)],
    ['negative shape', 'E_SAFETENSORS_TENSOR', () => safetensorsFile({ a: entry('F32', [-3], [0, 12]) }, data12)],
    ['fractional shape', 'E_SAFETENSORS_TENSOR', () => safetensorsFile({ a: entry('F32', [1.5], [0, 12]) }, data12)],
    ['string shape', 'E_SAFETENSORS_TENSOR', () => safetensorsFile({ a: entry('F32', ['3'], [0, 12]) }, data12)],
    ['huge shape 1e300', 'E_SAFETENSORS_TENSOR', () => safetensorsFile({ a: entry('F32', [1e300], [0, 12]) }, data12)],
    ['overflowing shape', 'E_SAFETENSORS_TENSOR', () => safetensorsFile({ a: entry('U8', [2 ** 52, 2 ** 52, 2 ** 52], [0, 12]) }, data12)],
    ['offsets out of range', 'E_SAFETENSORS_TENSOR', () => safetensorsFile({ a: entry('F32', [3], [0, 2 ** 60]) }, data12)],
    ['offsets begin > end', 'E_SAFETENSORS_TENSOR', () => safetensorsFile({ a: entry('F32', [0], [12, 0]) }, data12)],
    ['offsets of three numbers', 'E_SAFETENSORS_TENSOR', () => safetensorsFile({ a: entry('F32', [3], [0, 12, 12]) }, data12)],
    ['overlapping tensors', 'E_SAFETENSORS_TENSOR', () => safetensorsFile({ a: entry('F32', [2], [0, 8]), b: entry('F32', [2], [4, 12]) }, data12)],
    ['gap between tensors', 'E_SAFETENSORS_TENSOR', () => safetensorsFile({ a: entry('F32', [1], [0, 4]), b: entry('F32', [1], [8, 12]) }, data12)],
    ['bytes after the last tensor', 'E_SAFETENSORS_TENSOR', () => safetensorsFile({ a: entry('F32', [2], [0, 8]) }, data12)],
    ['declared tensors beyond the file', 'E_SAFETENSORS_TRUNCATED', () => safetensorsFile({ a: entry('F32', [4], [0, 16]) }, data12)],
  ])('%s → %s', (_label, code, make) => {
    expect(codeOf(() => readSafetensors(make()))).toBe(code);
  });

  test('writer rejects inconsistent input', () => {
    expect(codeOf(() => writeSafetensors([{ name: 'a', dtype: 'F32', shape: [3], data: new Float32Array(2) }]))).toBe('E_SAFETENSORS_TENSOR');
    expect(codeOf(() => writeSafetensors([{ name: 'a', dtype: 'X', shape: [1], data: new Uint8Array(1) }]))).toBe('E_SAFETENSORS_TENSOR');
    const twice: SafetensorsInput = { name: 'a', dtype: 'U8', shape: [1], data: new Uint8Array(1) };
    expect(codeOf(() => writeSafetensors([twice, twice]))).toBe('E_SAFETENSORS_TENSOR');
  });

  test('our model file is readable by an independent reader written from the spec', () => {
    const model = randomModel(7, 3);
    model.metadata = { seed: '3' };
    const bytes = encodeSafetensorsModel(model, new Map([['adam.m.Wx', new Float32Array([1, 2, 3])]]));
    // Minimal reader: u64 length, JSON header, little-endian tensors at their offsets.
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
    const start = 8 + n;
    expect(start % 8).toBe(0);
    expect(header.__metadata__).toEqual({ seed: '3', format: 'bi-embed', version: '1', hidden: '7' });
    for (const name of ['Wx', 'Wh', 'bh', 'Wy', 'by'] as const) {
      const info = header[name] as { dtype: string; shape: number[]; data_offsets: [number, number] };
      expect(info.dtype).toBe('F32');
      const [b, e] = info.data_offsets;
      const values = Array.from({ length: (e - b) / 4 }, (_, i) => view.getFloat32(start + b + 4 * i, true));
      expect(values).toEqual(Array.from(model.tensor(name)));
      expect(info.shape.reduce((x, y) => x * y, 1)).toBe(values.length);
    }
    const adam = header['adam.m.Wx'] as { dtype: string; shape: number[]; data_offsets: [number, number] };
    expect(adam.dtype).toBe('F32');
    expect(adam.shape).toEqual([3]);
    expect([0, 1, 2].map((i) => view.getFloat32(start + adam.data_offsets[0] + 4 * i, true))).toEqual([1, 2, 3]);
    const ends = Object.entries(header).filter(([k]) => k !== '__metadata__')
      .map(([, v]) => (v as { data_offsets: [number, number] }).data_offsets[1]);
    expect(start + Math.max(...ends)).toBe(bytes.length);
  });
});

describe('model files', () => {
  test('metadata round trip (reserved keys are stored but not copied back)', () => {
    const model = randomModel(7, 4);
    model.metadata = { seed: '42', lr: '0.002', corpusHash: 'abc123', step: '1000', note: 'ünïcode ✓' };
    const file = inTmp('meta.safetensors');
    saveModel(model, file);
    const loaded = loadModel(file);
    expect(loaded.metadata).toEqual(model.metadata);
    expect(readSafetensors(fs.readFileSync(file)).metadata).toMatchObject({ format: 'bi-embed', version: '1', hidden: '7' });
  });

  test('extra tensors round trip; raw files carry none', () => {
    const model = randomModel(3, 5);
    const extra = new Map([
      ['adam.m.Wx', new Float32Array(3 * 256).fill(0.5)],
      ['adam.v.Wx', new Float32Array([1e-8, 2, NaN])],
      ['adam.step.count', new Float32Array([7])],
    ]);
    const file = inTmp('extra.st');
    saveModel(model, file, { extra });
    const loaded = loadModelFile(file);
    expect(bytesEqual(writeRaw(loaded.model), writeRaw(model))).toBe(true);
    expect([...loaded.extra.keys()].sort()).toEqual([...extra.keys()].sort());
    for (const [k, v] of extra) expect(Array.from(loaded.extra.get(k)!)).toEqual(Array.from(v));
    expect(codeOf(() => saveModel(model, inTmp('extra.bin'), { extra }))).toBe('E_OPTION');
    saveModel(model, inTmp('plain.bin'));
    expect(loadModelFile(inTmp('plain.bin')).extra.size).toBe(0);
  });

  const H = 3;
  const base = (): SafetensorsInput[] => modelInputs(randomModel(H, 6));
  const meta = { format: 'bi-embed', version: '1', hidden: '3' };
  const decodeCode = (tensors: SafetensorsInput[], metadata: Record<string, string> = meta): string =>
    codeOf(() => decodeModelFile(writeSafetensors(tensors, metadata), 'safetensors'));

  test('missing tensor → E_SHAPE', () => {
    expect(decodeCode(base().filter((t) => t.name !== 'by'))).toBe('E_SHAPE');
    expect(decodeCode(base().filter((t) => t.name !== 'bh'))).toBe('E_SHAPE');
  });

  test('wrong shape → E_SHAPE', () => {
    const tensors = base().map((t) => (t.name === 'Wh' ? { ...t, shape: [H * H] } : t));
    expect(decodeCode(tensors)).toBe('E_SHAPE');
    const transposed = base().map((t) => (t.name === 'Wx' ? { ...t, shape: [256, H] } : t));
    expect(decodeCode(transposed)).toBe('E_SHAPE');
  });

  test('non-F32 model tensor → E_DTYPE', () => {
    const tensors = base().map((t) => (t.name === 'by' ? { name: 'by', dtype: 'F64' as const, shape: [256], data: new Float64Array(256) } : t));
    expect(decodeCode(tensors)).toBe('E_DTYPE');
  });

  test('unexpected tensor name without a dot → E_SHAPE', () => {
    expect(decodeCode([...base(), { name: 'junk', dtype: 'F32', shape: [1], data: new Float32Array(1) }])).toBe('E_SHAPE');
  });

  test('hidden metadata mismatch → E_SHAPE; foreign format or version → E_MODEL_FORMAT', () => {
    expect(decodeCode(base(), { ...meta, hidden: '4' })).toBe('E_SHAPE');
    expect(decodeCode(base(), { ...meta, format: 'other' })).toBe('E_MODEL_FORMAT');
    expect(decodeCode(base(), { ...meta, version: '2' })).toBe('E_MODEL_FORMAT');
    // A file from another tool, with no metadata at all, is accepted.
    expect(decodeModelFile(writeSafetensors(base()), 'safetensors').model.hidden).toBe(H);
  });

  test('non-finite parameter in a safetensors model → E_NON_FINITE', () => {
    const model = randomModel(H, 7);
    model.by[9] = NaN;
    expect(codeOf(() => decodeModelFile(encodeSafetensorsModel(model), 'safetensors'))).toBe('E_NON_FINITE');
  });

  test('missing file → E_FILE_NOT_FOUND; directory → E_FILE_READ', () => {
    expect(codeOf(() => loadModel(inTmp('nope.safetensors')))).toBe('E_FILE_NOT_FOUND');
    expect(codeOf(() => loadModel(inTmp('nope.bin')))).toBe('E_FILE_NOT_FOUND');
    fs.mkdirSync(inTmp('dir.safetensors'));
    fs.mkdirSync(inTmp('dir.bin'));
    expect(codeOf(() => loadModel(inTmp('dir.safetensors')))).toBe('E_FILE_READ');
    expect(codeOf(() => loadModel(inTmp('dir.bin')))).toBe('E_FILE_READ');
  });

  test('unknown extension → E_MODEL_FORMAT unless a format is given', () => {
    const model = randomModel(1, 8);
    expect(codeOf(() => saveModel(model, inTmp('model.dat')))).toBe('E_MODEL_FORMAT');
    expect(codeOf(() => loadModel(inTmp('model.dat')))).toBe('E_MODEL_FORMAT');
    saveModel(model, inTmp('model.dat'), { format: 'safetensors' });
    expect(loadModel(inTmp('model.dat'), { format: 'safetensors' }).hidden).toBe(1);
    expect(codeOf(() => loadModel(inTmp('model.dat'), { format: 'raw' }))).toBe('E_RAW_SIZE');
  });

  test('raw file of the wrong size is refused from its size → E_RAW_SIZE', () => {
    fs.writeFileSync(inTmp('short.bin'), new Uint8Array(329215));
    expect(codeOf(() => loadModel(inTmp('short.bin')))).toBe('E_RAW_SIZE');
    fs.writeFileSync(inTmp('h7.raw'), writeRaw(randomModel(7, 9)));
    expect(codeOf(() => loadModel(inTmp('h7.raw'), { hidden: 8 }))).toBe('E_RAW_SIZE');
    expect(loadModel(inTmp('h7.raw'), { hidden: 7 }).hidden).toBe(7);
  });

  test('saving into a missing directory → E_FILE_WRITE', () => {
    expect(codeOf(() => saveModel(randomModel(1, 10), inTmp('no/such/dir/m.safetensors')))).toBe('E_FILE_WRITE');
  });
});

describe('atomic writes', () => {
  const listDir = (dir: string): string[] => fs.readdirSync(dir).sort();

  test('writes single buffers and chunk lists, replacing the target', async () => {
    const dir = fs.mkdtempSync(inTmp('atomic-'));
    const target = path.join(dir, 'f.bin');
    writeFileAtomic(target, new Uint8Array([1, 2, 3]));
    expect(Array.from(fs.readFileSync(target))).toEqual([1, 2, 3]);
    writeFileAtomic(target, [new Uint8Array([4]), new Uint8Array([5, 6])]);
    expect(Array.from(fs.readFileSync(target))).toEqual([4, 5, 6]);
    await writeFileAtomicAsync(target, [new Uint8Array([7, 8]), new Uint8Array(0), new Uint8Array([9])]);
    expect(Array.from(fs.readFileSync(target))).toEqual([7, 8, 9]);
    expect(listDir(dir)).toEqual(['f.bin']);
  });

  test('a write failing midway leaves the previous file intact and no temp file', () => {
    const dir = fs.mkdtempSync(inTmp('atomic-'));
    const target = path.join(dir, 'model.safetensors');
    const model = randomModel(3, 11);
    saveModel(model, target);
    const before = fs.readFileSync(target);

    const realWriteSync = fs.writeSync;
    const spy = jest.spyOn(fs, 'writeSync').mockImplementationOnce((fd: number) => {
      realWriteSync(fd, new Uint8Array(100)); // part of the new file reaches the temp file
      throw Object.assign(new Error('ENOSPC: no space left on device (simulated)'), { code: 'ENOSPC' });
    });
    try {
      expect(codeOf(() => saveModel(randomModel(3, 12), target))).toBe('E_FILE_WRITE');
    } finally {
      spy.mockRestore();
    }
    expect(bytesEqual(fs.readFileSync(target), before)).toBe(true);
    expect(listDir(dir)).toEqual(['model.safetensors']);
    expect(bytesEqual(writeRaw(loadModel(target)), writeRaw(model))).toBe(true);
  });

  test('a chunk that throws while being read fails cleanly, sync and async', async () => {
    const dir = fs.mkdtempSync(inTmp('atomic-'));
    const target = path.join(dir, 'f.bin');
    fs.writeFileSync(target, 'old');
    const poisoned = (): Uint8Array[] => {
      const chunks = [new Uint8Array(64)];
      Object.defineProperty(chunks, 1, { get: () => { throw new Error('producer failed'); }, enumerable: true });
      return chunks;
    };
    expect(codeOf(() => writeFileAtomic(target, poisoned()))).toBe('E_FILE_WRITE');
    expect(await codeOfAsync(() => writeFileAtomicAsync(target, poisoned()))).toBe('E_FILE_WRITE');
    expect(fs.readFileSync(target, 'utf8')).toBe('old');
    expect(listDir(dir)).toEqual(['f.bin']);
  });

  test('error message names the path; missing directory fails async too', async () => {
    const target = inTmp('missing/f.bin');
    try { writeFileAtomic(target, new Uint8Array(1)); } catch (e) { expect((e as Error).message).toContain(target); }
    expect(await codeOfAsync(() => writeFileAtomicAsync(target, new Uint8Array(1)))).toBe('E_FILE_WRITE');
  });
});
