/**
 * A checkpoint is checked as strictly as a model (docs/reliability.md): every metadata field and
 * extra tensor at load (E_CHECKPOINT), the seed kept on resume, no non-finite model written.
 * Includes a deterministic fuzz of checkpoint loading, like test/fuzz.test.ts for model files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Corpus } from '../lib/corpus';
import { encodeSafetensorsModel, loadModel, loadModelFile, saveModel } from '../lib/io/model-file';
import { Model } from '../lib/model';
import { train } from '../lib/train';
import { CHECKPOINT_KEY, CheckpointInfo, LoadedCheckpoint, decodeCheckpoint } from '../lib/train/checkpoint';
import { codeOf, mulberry32, randomModel, studyPath, tempDir } from './helpers';

const text = Buffer.from('the cat sat on the mat; <b>a dog</b> sat on a log.\n'.repeat(200));

/** A real checkpoint of `recipe` (a few steps), and its file. */
async function checkpointOf(recipe: 'study' | 'scale'): Promise<{ file: string; bytes: Uint8Array }> {
  const dir = tempDir();
  const corpus = recipe === 'study' ? Corpus.open(studyPath('enwik_1024.txt')) : Corpus.fromBytes(text);
  const out = path.join(dir, 'm.safetensors');
  await train({ corpus, recipe, hidden: 8, batch: recipe === 'study' ? 1 : 3, window: 10, steps: recipe === 'study' ? 150 : 6, seed: 5, out });
  const file = path.join(dir, 'm.ckpt.safetensors');
  return { file, bytes: fs.readFileSync(file) };
}

/** Rewrites a checkpoint file with edited metadata and extra tensors. */
function edit(file: string, info: (i: Record<string, unknown>) => void, extra?: (e: Map<string, Float32Array>) => void): void {
  const { model, extra: tensors } = loadModelFile(file, { format: 'safetensors' });
  const i = JSON.parse(model.metadata[CHECKPOINT_KEY]) as Record<string, unknown>;
  info(i);
  model.metadata[CHECKPOINT_KEY] = JSON.stringify(i);
  extra?.(tensors);
  saveModel(model, file, { format: 'safetensors', extra: tensors });
}

describe('edited checkpoints are refused at load (E_CHECKPOINT)', () => {
  test.each([
    ['a non-numeric step', (i: Record<string, unknown>) => { i.step = 'abc'; }],
    ['step null', (i: Record<string, unknown>) => { i.step = null; }],
    ['a negative step', (i: Record<string, unknown>) => { i.step = -3; }],
    ['a missing field', (i: Record<string, unknown>) => { delete i.cycleNats; }],
    ['bestStep after step', (i: Record<string, unknown>) => { i.bestStep = 1e9; }],
    ['an unknown recipe', (i: Record<string, unknown>) => { i.recipe = 'fast'; }],
    ['a non-finite lr', (i: Record<string, unknown>) => { i.lr = '1e999'; }],
  ])('%s', async (_, change) => {
    const { file } = await checkpointOf('scale');
    edit(file, change);
    const corpus = Corpus.fromBytes(text);
    await expect(train({ corpus, hidden: 8, batch: 3, window: 10, steps: 12, seed: 5, checkpoint: file, resume: true }))
      .rejects.toMatchObject({ code: 'E_CHECKPOINT' });
  });

  test.each([
    ['NaN Adam moment', 'adam.m', NaN], ['negative second moment', 'adam.v', -1e-3], ['stream state |h| > 1', 'train.hidden', 1.5],
    ['non-finite stream state', 'train.hidden', -Infinity],
  ])('%s', async (_, name, value) => {
    const { file } = await checkpointOf('scale');
    edit(file, () => undefined, (e) => { e.get(name)![2] = value; });
    await expect(codeOf(() => decodeCheckpoint(fs.readFileSync(file)))).resolves.toBe('E_CHECKPOINT');
  });
});

describe('the seed on resume', () => {
  test('kept from the checkpoint when none is given; a different one is refused', async () => {
    const { file } = await checkpointOf('scale');
    const corpus = Corpus.fromBytes(text);
    const opts = { corpus, hidden: 8, batch: 3, window: 10, steps: 9, checkpoint: file, out: path.join(path.dirname(file), 'r.safetensors'), resume: true };
    expect(await codeOf(() => train({ ...opts, seed: 6 }))).toBe('E_CHECKPOINT');
    const r = await train(opts);
    expect(r.model.metadata['bi-embed.seed']).toBe('5');
    expect(JSON.parse(loadModelFile(file, { format: 'safetensors' }).model.metadata[CHECKPOINT_KEY]).seed).toBe(5);
  });
});

describe('non-finite parameters are never written', () => {
  test('saveModel refuses a NaN parameter (E_NON_FINITE) and leaves the old file', () => {
    const dir = tempDir();
    const f = path.join(dir, 'm.safetensors');
    saveModel(randomModel(4, 1), f);
    const m = randomModel(4, 2);
    m.Wh[3] = NaN;
    for (const file of [f, path.join(dir, 'm.bin')]) expect(codeOf(() => saveModel(m, file))).resolves.toBe('E_NON_FINITE');
    expect(loadModel(f).params).toEqual(randomModel(4, 1).params);
    expect(fs.existsSync(path.join(dir, 'm.bin'))).toBe(false);
  });
});

// ─────────────── fuzz ───────────────

const SUBSTITUTES: unknown[] = [null, 'x', '12', -1, 0, 1, 1.5, 2 ** 53, 1e308, -0.5, true, [], {}, [1], 'adam', 'study', 4294967296, 9007199254740993];

/** An independent oracle: what a loaded checkpoint must satisfy for training to use it. */
function invariantBroken(c: LoadedCheckpoint): string | undefined {
  const i: CheckpointInfo = c.info;
  const ints: Array<keyof CheckpointInfo> = ['corpusSize', 'hidden', 'batch', 'window', 'threads', 'seed', 'epochs', 'step', 'bestStep', 'cyclePositions', 'trainedPositions'];
  for (const k of ints) if (!Number.isSafeInteger(i[k]) || (i[k] as number) < 0) return `${k} = ${String(i[k])}`;
  for (const k of ['lr', 'clip', 'cycleNats', 'trainSeconds'] as const) if (!(Number.isFinite(i[k]) && i[k] >= 0)) return `${k} = ${i[k]}`;
  for (const k of ['bestBpc', 'lastTestBpc', 'totalSteps'] as const) if (i[k] !== null && !(Number.isFinite(i[k]) && (i[k] as number) >= 0)) return `${k} = ${i[k]}`;
  if (!['study', 'scale'].includes(i.recipe) || !['sgd', 'adam'].includes(i.optimizer)) return 'recipe/optimizer';
  if (i.bestStep > i.step) return 'bestStep > step';
  if (c.state.hidden.length !== i.batch * i.hidden || c.state.hidden.some((h) => !(h >= -1 && h <= 1))) return 'train.hidden';
  if (c.state.params.length !== new Model(i.hidden).paramCount) return 'params';
  if (i.optimizer === 'adam' && (!c.state.m || !c.state.v || c.state.m.some((x) => !Number.isFinite(x)) || c.state.v.some((x) => !(x >= 0 && x < Infinity)))) return 'adam';
  if (i.recipe === 'study' && (!c.state.best || c.state.best.some((x) => !Number.isFinite(x)))) return 'train.best';
  return undefined;
}

function mutate(rand: () => number, base: LoadedCheckpoint, meta: Record<string, unknown>): Uint8Array {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const m = { ...meta };
  const extra = new Map<string, Float32Array>([['train.hidden', base.state.hidden.slice()]]);
  if (base.state.m) extra.set('adam.m', base.state.m.slice()).set('adam.v', base.state.v!.slice());
  if (base.state.best) extra.set('train.best', base.state.best.slice());
  const kind = Math.floor(rand() * 5);
  if (kind === 0 || kind === 4) { // one field (or two) replaced, deleted, or a number nudged
    for (let k = 0; k < (kind === 4 ? 2 : 1); k++) {
      const key = pick(Object.keys(m));
      const r = rand();
      if (r < 0.15) delete m[key];
      else if (r < 0.4 && typeof m[key] === 'number') m[key] = (m[key] as number) * pick([-1, 0.5, 2, 1e9]) + pick([0, 1, 0.5]);
      else m[key] = pick(SUBSTITUTES);
    }
  } else if (kind === 1) { // a tensor value
    const name = pick([...extra.keys()]);
    const t = extra.get(name)!;
    t[Math.floor(rand() * t.length)] = pick([NaN, Infinity, -Infinity, 1.0001, -1.5, -1e-9, 3e38, 0]);
  } else if (kind === 2) { // a tensor dropped, cut, or one added
    const name = pick([...extra.keys()]);
    const r = rand();
    if (r < 0.4) extra.delete(name);
    else if (r < 0.8) extra.set(name, extra.get(name)!.slice(0, Math.floor(rand() * extra.get(name)!.length)));
    else extra.set(pick(['adam.m', 'adam.v', 'train.best', 'x.y']), new Float32Array(base.state.params.length));
  } else { // JSON text damage
    const json = JSON.stringify(m);
    const at = Math.floor(rand() * json.length);
    const model = new Model(base.info.hidden, base.state.params.slice(), { [CHECKPOINT_KEY]: json.slice(0, at) + pick(['', '}', '"', ',', 'NaN', '{}']) + json.slice(at + 1) });
    return encode(model, extra);
  }
  return encode(new Model(base.info.hidden, base.state.params.slice(), { [CHECKPOINT_KEY]: JSON.stringify(m) }), extra);
}

function encode(model: Model, extra: Map<string, Float32Array>): Uint8Array {
  return encodeSafetensorsModel(model, extra);
}

describe('fuzzing checkpoint loading', () => {
  test('≥ 1500 mutants of study and scale checkpoints: a checkpoint training can use, or a coded error', async () => {
    const failures: string[] = [];
    const outcomes = new Map<string, number>();
    const rand = mulberry32(0xc4ec);
    let count = 0;
    for (const recipe of ['scale', 'study'] as const) {
      const { bytes } = await checkpointOf(recipe);
      const base = decodeCheckpoint(bytes);
      const meta = JSON.parse(JSON.stringify(base.info)) as Record<string, unknown>;
      for (let i = 0; i < 800; i++, count++) {
        const mutant = mutate(rand, base, meta);
        try {
          const broken = invariantBroken(decodeCheckpoint(mutant));
          outcomes.set('ok', (outcomes.get('ok') ?? 0) + 1);
          if (broken) failures.push(`${recipe}#${i}: accepted with ${broken}`);
        } catch (e) {
          const err = e as { name?: string; code?: unknown; message?: string };
          if (err.name === 'BiEmbedError' && typeof err.code === 'string') outcomes.set(err.code, (outcomes.get(err.code) ?? 0) + 1);
          else failures.push(`${recipe}#${i}: ${String(err.name)}: ${String(err.message)}`);
        }
      }
    }
    expect(count).toBeGreaterThanOrEqual(1500);
    expect(failures.slice(0, 10)).toEqual([]);
    expect([...outcomes.keys()]).toEqual(expect.arrayContaining(['E_CHECKPOINT', 'ok']));
    expect(outcomes.get('E_CHECKPOINT')!).toBeGreaterThan(count / 2);
  }, 60_000);
});
