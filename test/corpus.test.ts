import * as fs from 'node:fs';
import * as path from 'node:path';
import { Corpus, parseRange } from '../lib/corpus';
import { codeOf, corpusPath, tempDir } from './helpers';

describe('Corpus', () => {
  it('reads a file once; splits and slices are views of the same memory', () => {
    const c = Corpus.open(corpusPath('tinyshakespeare.txt'));
    expect(c.size).toBe(1115394);
    const s = c.split();
    expect(s.train).toEqual([0, Math.floor(1115394 * 0.9)]);
    expect(s.test).toEqual([Math.floor(1115394 * 0.9), 1115394]);
    const view = c.slice(10, 20);
    expect(view.buffer).toBe(c.bytes.buffer);
    expect(view.toString()).toBe(c.bytes.subarray(10, 20).toString());
    expect(c.split(0.25).train[1]).toBe(Math.floor(1115394 * 0.75));
  });

  it('hashes content with SHA-256', () => {
    const c = Corpus.fromBytes(Buffer.from('abc'));
    expect(c.hash()).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('rejects missing, empty, unreadable and too-short corpora with codes', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'empty'), '');
    expect(await codeOf(() => Corpus.open(path.join(dir, 'nope')))).toBe('E_FILE_NOT_FOUND');
    expect(await codeOf(() => Corpus.open(path.join(dir, 'empty')))).toBe('E_CORPUS_EMPTY');
    expect(await codeOf(() => Corpus.open(dir))).toBe('E_FILE_READ');
    expect(await codeOf(() => Corpus.fromBytes(new Uint8Array(0)))).toBe('E_CORPUS_EMPTY');
    expect(await codeOf(() => Corpus.fromBytes(Buffer.from('abc')).split())).toBe('E_CORPUS_TOO_SHORT');
    expect(await codeOf(() => Corpus.fromBytes(Buffer.from('abcdefghijklmnopqrstuvwxyz')).split(1.5))).toBe('E_OPTION');
  });

  it('parses A:B ranges', () => {
    expect(parseRange('3:9', 100)).toEqual([3, 9]);
    expect(parseRange(':9', 100)).toEqual([0, 9]);
    expect(parseRange('5:', 100)).toEqual([5, 100]);
  });

  it('rejects malformed ranges', async () => {
    expect(await codeOf(() => parseRange('a:b', 10))).toBe('E_RANGE');
  });
});
