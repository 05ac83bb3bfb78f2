/**
 * Every bad argument is a typed BiEmbedError (docs/reliability.md): no TypeError or RangeError
 * escapes, a limit cannot be switched off by NaN or Infinity, messages show the value given, and a
 * reported figure does not depend on timing.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Corpus } from '../lib/corpus';
import { evaluate } from '../lib/evaluate';
import { loadModel, saveModel } from '../lib/io/model-file';
import { readRaw, writeRaw } from '../lib/io/raw';
import { paramCount } from '../lib/model';
import { construct } from '../lib/phi';
import { readModel } from '../lib/psi';
import { runSkipgram } from '../lib/skipgram';
import { train } from '../lib/train';
import { captureTrajectory } from '../lib/trajectory';
import { randomModel, repoRoot, studyPath } from './helpers';

/** What `fn` throws or rejects with, as [name, code]. */
async function thrown(fn: () => unknown): Promise<[string, string]> {
  try {
    await fn();
  } catch (e) {
    const err = e as { name?: unknown; code?: unknown };
    return [String(err.name), String(err.code)];
  }
  return ['none', 'none'];
}

const model = randomModel(8, 1, 0.1);
const corpus = Corpus.fromBytes(Buffer.from('the cat sat on the mat\n'.repeat(50)));
const anyValue = null as never;

describe('bad arguments are typed', () => {
  test.each<[string, () => unknown, string]>([
    ['evaluate(…, null)', () => evaluate(model, corpus, anyValue), 'E_OPTION'],
    ['evaluate(…, "x")', () => evaluate(model, corpus, 'x' as never), 'E_OPTION'],
    ['evaluate ranges: "abc"', () => evaluate(model, corpus, { ranges: 'abc' as never }), 'E_RANGE'],
    ['evaluate(null, corpus)', () => evaluate(anyValue, corpus), 'E_OPTION'],
    ['evaluate(model, "file.txt")', () => evaluate(model, 'file.txt' as never), 'E_OPTION'],
    ['evaluate signal: "x"', () => evaluate(model, corpus, { signal: 'x' as never }), 'E_OPTION'],
    ['evaluate onProgress: 5', () => evaluate(model, corpus, { onProgress: 5 as never }), 'E_OPTION'],
    ['captureTrajectory(…, null)', () => captureTrajectory(model, corpus, anyValue), 'E_OPTION'],
    ['captureTrajectory capture: "hidden"', () => captureTrajectory(model, corpus, { capture: 'hidden' as never }), 'E_OPTION'],
    ['captureTrajectory maxBytes: Infinity', () => captureTrajectory(model, corpus, { capture: ['hidden'], maxBytes: Infinity }), 'E_OPTION'],
    ['captureTrajectory maxBytes: NaN', () => captureTrajectory(model, corpus, { capture: ['hidden'], maxBytes: NaN }), 'E_OPTION'],
    ['train(null)', () => train(anyValue), 'E_OPTION'],
    ['train(opts, null)', () => train({ corpus, steps: 1 }, anyValue), 'E_OPTION'],
    ['Corpus.fromBytes("abc")', () => Corpus.fromBytes('abc' as never), 'E_OPTION'],
    ['Corpus.fromBytes(null)', () => Corpus.fromBytes(anyValue), 'E_OPTION'],
    ['Corpus.open(123)', () => Corpus.open(123 as never), 'E_OPTION'],
    ['loadModel(123)', () => loadModel(123 as never), 'E_OPTION'],
    ['loadModel(path, null)', () => loadModel(studyPath('sat_model.bin'), anyValue), 'E_OPTION'],
    ['saveModel({}, path)', () => saveModel({} as never, '/tmp/x.safetensors'), 'E_OPTION'],
    ['construct(corpus, null)', () => construct(corpus, anyValue), 'E_OPTION'],
    ['readModel(model, corpus, null)', () => readModel(model, corpus, anyValue), 'E_OPTION'],
    ['runSkipgram(corpus, null)', () => runSkipgram(corpus, anyValue), 'E_OPTION'],
  ])('%s', async (_, fn, code) => {
    expect(await thrown(fn)).toEqual(['BiEmbedError', code]);
  });
});

describe('messages show the value given', () => {
  test('seed -1 says -1 (API and CLI)', async () => {
    await expect(train({ corpus, seed: -1, steps: 1 })).rejects.toMatchObject({ code: 'E_OPTION', message: expect.stringContaining('got -1') });
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'bi-embed.js'), 'train', '--corpus', studyPath('enwik_1024.txt'), '--seed=-1'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/E_OPTION: seed must be an integer in 0…4294967295, got -1\n/);
  });

  test('a wrong type is named', async () => {
    await expect(evaluate(model, corpus, { threads: '2' as never })).rejects.toMatchObject({ message: expect.stringContaining('got "2"') });
    expect(() => Corpus.fromBytes('abc' as never)).toThrow(/got "abc"/);
  });
});

describe('reported figures do not depend on timing', () => {
  test('scale trainBpc of a fixed-seed run is the same whatever the call boundaries', async () => {
    const opts = { corpus, hidden: 8, batch: 2, window: 10, steps: 150, seed: 3, evalEvery: 1000 };
    const a = await train(opts);
    const b = await train({ ...opts, checkpointEvery: 7, checkpoint: undefined });
    expect(b.model.params).toEqual(a.model.params); // bitwise the same run
    expect(b.trainBpc).toBe(a.trainBpc);
  });
});

describe('the raw format has no header (docs/formats.md)', () => {
  test('a raw file cut at a valid size parses as a smaller model; naming H refuses it', () => {
    const full = writeRaw(randomModel(128, 2, 0.1));
    const cut = full.subarray(0, 4 * paramCount(100));
    expect(readRaw(cut).hidden).toBe(100);
    expect(() => readRaw(cut, 128)).toThrow(expect.objectContaining({ code: 'E_RAW_SIZE' }));
  });
});
