/**
 * Inputs are never written and outputs are checked before the work (docs/reliability.md): special
 * files as inputs, outputs equal to an input or to each other, unwritable output folders.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Corpus } from '../lib/corpus';
import { convertModel, loadModel, saveModel } from '../lib/io/model-file';
import { train } from '../lib/train';
import { codeOf, randomModel, repoRoot, studyPath, tempDir } from './helpers';

const bin = path.join(repoRoot, 'bin', 'bi-embed.js');
const cli = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000 });

function corpusFile(dir: string): string {
  const f = path.join(dir, 'corpus.txt');
  fs.writeFileSync(f, 'the cat sat on the mat\n'.repeat(400));
  return f;
}

describe('special files as inputs', () => {
  test('a FIFO as the corpus or the model: E_FILE_READ at once, no blocking open()', () => {
    const dir = tempDir();
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const corpus = cli(['eval', '--model', studyPath('sat_model.bin'), '--corpus', fifo]);
    expect({ status: corpus.status, signal: corpus.signal }).toEqual({ status: 2, signal: null });
    expect(corpus.stderr).toMatch(/E_FILE_READ: .*not a regular file/);
    fs.renameSync(fifo, `${fifo}.safetensors`);
    const model = cli(['eval', '--model', `${fifo}.safetensors`, '--corpus', studyPath('enwik_1024.txt')]);
    expect({ status: model.status, signal: model.signal }).toEqual({ status: 2, signal: null });
    expect(model.stderr).toMatch(/E_FILE_READ/);
  });
});

describe('output folders', () => {
  test('construct --out-dir under /proc: E_FILE_WRITE before the work, no spinning mkdir', () => {
    const r = cli(['construct', '--study', '--out-dir', '/proc/bi-embed-test/x', '--json']);
    expect({ status: r.status, signal: r.signal, stdout: r.stdout }).toEqual({ status: 2, signal: null, stdout: '' });
    expect(r.stderr).toMatch(/E_FILE_WRITE: .*does not exist/);
    const top = cli(['construct', '--study', '--out-dir', '/proc/bi-embed-test', '--json']);
    expect({ status: top.status, stdout: top.stdout }).toEqual({ status: 2, stdout: '' });
    expect(top.stderr).toMatch(/E_FILE_WRITE/);
  });

  test('construct --out-dir naming a file: a typed error before the work', () => {
    const dir = tempDir();
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    const r = cli(['construct', '--study', '--out-dir', file, '--json']);
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 2, stdout: '' });
    expect(r.stderr).toMatch(/^bi-embed: E_FILE_WRITE: .*is a file, not a folder\n$/);
  });
});

describe('outputs never overwrite inputs', () => {
  const base = { recipe: 'scale' as const, hidden: 8, batch: 2, window: 10, steps: 3, evalEvery: 100 };

  test('train: out or checkpoint equal to the corpus (directly, by symlink, by hard link) is refused; the corpus is untouched', async () => {
    const dir = tempDir();
    const corpus = corpusFile(dir);
    const before = fs.readFileSync(corpus);
    fs.symlinkSync(corpus, path.join(dir, 'link.safetensors'));
    fs.linkSync(corpus, path.join(dir, 'hard.safetensors'));
    const cases = [
      { out: corpus }, { out: path.join(dir, 'm.safetensors'), checkpoint: corpus },
      { out: path.join(dir, 'link.safetensors') }, { out: path.join(dir, 'hard.safetensors') },
      { checkpoint: path.join(dir, 'link.safetensors') },
    ];
    for (const c of cases) {
      await expect(train({ ...base, corpus, ...c })).rejects.toMatchObject({ code: 'E_OPTION', message: expect.stringContaining(`the input ${corpus}`) });
    }
    expect(fs.readFileSync(corpus).equals(before)).toBe(true);
    expect(fs.readdirSync(dir).sort()).toEqual(['corpus.txt', 'hard.safetensors', 'link.safetensors']);
  });

  test('train: out equal to checkpoint is refused (the checkpoint would become unresumable)', async () => {
    const dir = tempDir();
    const f = path.join(dir, 'same.safetensors');
    await expect(train({ ...base, corpus: corpusFile(dir), out: f, checkpoint: f })).rejects.toMatchObject({ code: 'E_OPTION' });
    expect(fs.existsSync(f)).toBe(false);
  });

  test('train: every output checked before the work (folder, extension)', async () => {
    const dir = tempDir();
    const corpus = Corpus.open(corpusFile(dir));
    expect(await codeOf(() => train({ ...base, corpus, out: path.join(dir, 'missing', 'm.safetensors') }))).toBe('E_FILE_WRITE');
    expect(await codeOf(() => train({ ...base, corpus, out: path.join(dir, 'm.txt') }))).toBe('E_OPTION');
    expect(await codeOf(() => train({ ...base, corpus, out: path.join(dir, 'm.safetensors'), checkpoint: path.join(dir, 'c.bin') }))).toBe('E_OPTION');
    expect(await codeOf(() => train({ ...base, corpus, out: dir }))).toBe('E_FILE_WRITE');
    expect(fs.readdirSync(dir)).toEqual(['corpus.txt']);
  });

  test('convert onto its own input is refused', () => {
    const dir = tempDir();
    const f = path.join(dir, 'm.safetensors');
    saveModel(randomModel(4, 1), f);
    const before = fs.readFileSync(f);
    expect(() => convertModel(f, f)).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    fs.symlinkSync(f, path.join(dir, 'l.safetensors'));
    expect(() => convertModel(path.join(dir, 'l.safetensors'), f)).toThrow(expect.objectContaining({ code: 'E_OPTION' }));
    expect(fs.readFileSync(f).equals(before)).toBe(true);
    expect(loadModel(f).hidden).toBe(4);
  });
});
