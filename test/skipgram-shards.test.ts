/**
 * Skip-gram counts in shards (docs/skipgram.md "Counting in shards"): shards merge into the
 * count of their union entry for entry on a real corpus slice, a small table equals a JS count,
 * the statistics and the held-out model of a merged table equal those of the whole range, count
 * files round-trip byte for byte, and bad tables and (randomly) corrupted files give their codes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Corpus, SkipgramCounts, countSkipgrams, decodeSkipgramCounts, encodeSkipgramCounts, heldOutBpc, heldOutFromCounts,
  loadSkipgramCounts, mergeSkipgramCounts, saveSkipgramCounts, skipgramCountStats, skipgramStats,
} from '../lib';
import { writeSafetensors } from '../lib/io/safetensors';
import { codeOf, corpusPath, mulberry32, studyPath, tempDir } from './helpers';

const slice = Corpus.fromBytes(fs.readFileSync(corpusPath('enwiki-2016-sample.xml')).subarray(0, 200_000), 'enwiki[0:200000]');

const OFFSET_SETS = [[1], [3, 1], [1, 8, 20, 3], [1, 8, 20, 3, 27, 2, 12, 7]];

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Entry for entry: offsets, positions and the three arrays' bytes. */
function expectSameTable(a: SkipgramCounts, b: SkipgramCounts): void {
  expect(a.offsets).toEqual(b.offsets);
  expect(a.positions).toBe(b.positions);
  expect(a.contexts.length).toBe(b.contexts.length);
  expect(bytesOf(a.contexts).equals(bytesOf(b.contexts))).toBe(true);
  expect(bytesOf(a.next).equals(bytesOf(b.next))).toBe(true);
  expect(bytesOf(a.counts).equals(bytesOf(b.counts))).toBe(true);
}

/** The table by brute force: a Map over positions, then sorted by (context, next) as unsigned. */
function bruteTable(x: Uint8Array, D: number[], begin: number, end: number): Array<[bigint, number, number]> {
  const m = new Map<string, [bigint, number, number]>();
  for (let s = Math.max(begin, ...D); s < end; s++) {
    let c = 0n;
    D.forEach((d, j) => { c |= BigInt(x[s - d]) << BigInt(8 * j); });
    const k = `${c}|${x[s]}`;
    const e = m.get(k) ?? [c, x[s], 0];
    e[2]++;
    m.set(k, e);
  }
  return [...m.values()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
}

function table(offsets: number[], positions: number, entries: Array<[bigint, number, number]>): SkipgramCounts {
  return {
    offsets, positions,
    contexts: BigUint64Array.from(entries.map((e) => e[0])),
    next: Uint8Array.from(entries.map((e) => e[1])),
    counts: Uint32Array.from(entries.map((e) => e[2])),
  };
}

describe('counting in shards', () => {
  it('shards [0, m) and [m, n) merge into the count of [0, n), entry for entry', async () => {
    const n = slice.size;
    for (const offsets of OFFSET_SETS) {
      const whole = await countSkipgrams(slice, { offsets });
      expect(whole.positions).toBe(n - Math.max(...offsets));
      for (const m of [1, 19, 77_777, 150_001]) {
        const a = await countSkipgrams(slice, { offsets, range: [0, m] });
        const b = await countSkipgrams(slice, { offsets, range: [m, n] });
        expect(a.positions + b.positions).toBe(whole.positions);
        expectSameTable(await mergeSkipgramCounts([a, b]), whole);
        expectSameTable(await mergeSkipgramCounts([b, a]), whole);
      }
      // Many shards at once, one of them empty, and the raw bytes instead of a Corpus.
      const cuts = [0, 10, 10, 40_000, 123_456, n];
      const parts = await Promise.all(cuts.slice(1).map((e, i) => countSkipgrams(slice.bytes, { offsets, range: [cuts[i], e] })));
      expect(parts[1].contexts.length).toBe(0);
      expectSameTable(await mergeSkipgramCounts(parts), whole);
    }
  });

  it('a small table equals a count by brute force, in unsigned (context, next) order', async () => {
    const rnd = mulberry32(7);
    const alphabet = [0, 1, 97, 128, 200, 255];  // bytes ≥ 128 in the top context byte set bit 63
    const x = Uint8Array.from({ length: 600 }, () => alphabet[Math.floor(rnd() * alphabet.length)]);
    for (const [offsets, begin, end] of [[[3, 1], 5, 400], [[2], 0, 600], [[1, 8, 20, 3, 27, 2, 12, 7], 30, 600], [[], 100, 200]] as const) {
      const t = await countSkipgrams(x, { offsets: [...offsets], range: [begin, end] });
      expectSameTable(t, table([...offsets], end - Math.max(begin, ...offsets), bruteTable(x, [...offsets], begin, end)));
    }
    const top = await countSkipgrams(x, { offsets: [1, 8, 20, 3, 27, 2, 12, 7] });
    expect(top.contexts.some((c) => c >= 1n << 63n)).toBe(true);  // the order above was tested on such contexts
  });

  it('a memory bound that rules out sorting gives the same table (hashing path)', async () => {
    // 200 000 positions need > 3.6 MB to sort; one offset hashes into well under 1 MB.
    const sorted = await countSkipgrams(slice, { offsets: [2] });
    expectSameTable(await countSkipgrams(slice, { offsets: [2], maxBytes: 1 << 20 }), sorted);
  });

  it('the statistics of merged shards equal skipgramStats of the whole range', async () => {
    for (const offsets of OFFSET_SETS) {
      const parts = [await countSkipgrams(slice, { offsets, range: [1000, 90_000] }), await countSkipgrams(slice, { offsets, range: [90_000, 200_000] })];
      const s = await skipgramCountStats(await mergeSkipgramCounts(parts));
      const whole = await skipgramStats(slice, offsets, { range: [1000, 200_000] });
      expect(s.positions).toBe(whole.positions);
      expect(s.patterns).toBe(whole.patterns);
      expect(s.contexts).toBe(whole.contexts);
      expect(Math.abs(s.bits - whole.bits)).toBeLessThan(1e-12);  // the sums run in another order
      expect(s.offsets).toEqual(offsets);
    }
    // The study's skip-4 from three shards: 0.069 bpc with 712 patterns (SPEC §9).
    const study = Corpus.open(studyPath('enwik_1024.txt'));
    const D = [1, 8, 20, 3];
    const shards = await Promise.all([[0, 300], [300, 301], [301, 1024]].map((r) => countSkipgrams(study, { offsets: D, range: r as [number, number] })));
    const s = await skipgramCountStats(await mergeSkipgramCounts(shards));
    expect(s.bits.toFixed(3)).toBe('0.069');
    expect(s.patterns).toBe(712);
  });

  it('heldOutFromCounts of merged shards equals heldOutBpc on the same train range', async () => {
    const train: [number, number] = [0, 180_000], test: [number, number] = [180_000, 200_000];
    for (const offsets of [[1, 8, 20, 3], [1, 2, 3, 4, 5, 6, 7, 8]]) {
      const parts = [await countSkipgrams(slice, { offsets, range: [0, 60_000] }), await countSkipgrams(slice, { offsets, range: [60_000, 180_000] })];
      const merged = await mergeSkipgramCounts(parts);
      for (const smoothing of ['kneser-ney', 'witten-bell'] as const) {
        const direct = await heldOutBpc(slice, offsets, { train, test, smoothing });
        const fromCounts = await heldOutFromCounts(merged, slice, { test, smoothing });
        expect({ ...fromCounts, bytes: 0 }).toEqual({ ...direct, bytes: 0 });  // bytes: table sizes differ by path
        expect(fromCounts.bpc).toBeLessThan(8);
      }
    }
  });

  it('count files round-trip byte for byte', async () => {
    const dir = tempDir();
    for (const offsets of [[1, 8, 20, 3], []]) {
      const t = await countSkipgrams(slice, { offsets, range: [0, 50_000] });
      const file = path.join(dir, `c${offsets.length}.safetensors`);
      saveSkipgramCounts(file, t);
      const loaded = loadSkipgramCounts(file);
      expectSameTable(loaded, t);
      expect(Buffer.from(encodeSkipgramCounts(loaded)).equals(fs.readFileSync(file))).toBe(true);
    }
    const empty = await countSkipgrams(slice, { offsets: [30], range: [0, 20] });
    expect(empty.positions).toBe(0);
    expectSameTable(decodeSkipgramCounts(encodeSkipgramCounts(empty)), empty);
  });
});

describe('count table errors', () => {
  const good = table([2, 1], 4, [[0x0101n, 7, 1], [0x0201n, 7, 2], [0x0201n, 9, 1]]);

  it('merging needs equal offsets, at least one part and < 2^32 positions', async () => {
    expect(await codeOf(() => mergeSkipgramCounts([good, { ...good, offsets: [1, 2] }]))).toBe('E_OPTION');
    expect(await codeOf(() => mergeSkipgramCounts([]))).toBe('E_OPTION');
    const big = table([1], 2 ** 31, [[5n, 5, 2 ** 31]]);
    expect(await codeOf(() => mergeSkipgramCounts([big, big]))).toBe('E_RANGE');
    expect((await mergeSkipgramCounts([big, table([1], 2 ** 31 - 1, [[5n, 5, 2 ** 31 - 1]])])).counts[0]).toBe(2 ** 32 - 1);
    expect(await codeOf(() => mergeSkipgramCounts([good, good]))).toBe('none');
  });

  it('tables that break their invariants give E_COUNT_TABLE, wrong arrays E_DTYPE / E_SHAPE', async () => {
    const bad: Array<[string, SkipgramCounts]> = [
      ['E_COUNT_TABLE', table([2, 1], 4, [[0x0201n, 7, 2], [0x0101n, 7, 1], [0x0201n, 9, 1]])],  // unsorted contexts
      ['E_COUNT_TABLE', table([2, 1], 4, [[0x0101n, 7, 1], [0x0201n, 9, 1], [0x0201n, 7, 2]])],  // unsorted next
      ['E_COUNT_TABLE', table([2, 1], 3, [[0x0101n, 7, 1], [0x0201n, 7, 2], [0x0201n, 7, 1]])],  // repeated pair
      ['E_COUNT_TABLE', table([2, 1], 3, [[0x0101n, 7, 1], [0x0201n, 7, 2], [0x0201n, 9, 0]])],  // count 0
      ['E_COUNT_TABLE', { ...good, positions: 5 }],  // Σ counts ≠ positions
      ['E_COUNT_TABLE', table([2, 1], 1, [[0x010101n, 7, 1]])],  // a third context byte for two offsets
      ['E_RANGE', table([1], 2 ** 32, [[1n, 1, 1]])],
      ['E_OPTION', { ...good, offsets: [1, 1] }],
      ['E_DTYPE', { ...good, contexts: new Float64Array(3) as unknown as BigUint64Array }],
      ['E_SHAPE', { ...good, next: good.next.subarray(1) }],
    ];
    for (const [code, t] of bad) {
      expect(await codeOf(() => skipgramCountStats(t))).toBe(code);
      expect(await codeOf(() => mergeSkipgramCounts([t]))).toBe(code);
      expect(await codeOf(() => heldOutFromCounts(t, slice, { test: [0, 100] }))).toBe(code);
      expect(await codeOf(() => encodeSkipgramCounts(t))).toBe(code);
    }
    expect(await codeOf(() => skipgramCountStats(good))).toBe('none');
  });

  it('an empty table has no statistics or model; an aborted job rejects', async () => {
    const empty = table([4], 0, []);
    expect(await codeOf(() => skipgramCountStats(empty))).toBe('E_CORPUS_TOO_SHORT');
    expect(await codeOf(() => heldOutFromCounts(empty, slice, { test: [0, 100] }))).toBe('E_CORPUS_TOO_SHORT');
    expect(await codeOf(() => countSkipgrams(slice, { offsets: [1], range: [0, 300_000] }))).toBe('E_RANGE');
    expect(await codeOf(() => heldOutFromCounts(good, slice, { test: [0, 100], smoothing: 'add-one' as never }))).toBe('E_OPTION');
    const ac = new AbortController();
    ac.abort();
    expect(await codeOf(() => countSkipgrams(slice, { offsets: [1], signal: ac.signal }))).toBe('E_ABORTED');
  });

  it('randomly corrupted count files decode to a valid table or throw a coded error', async () => {
    const bytes = encodeSkipgramCounts(await countSkipgrams(slice, { offsets: [2, 1], range: [0, 300] }));
    const rnd = mulberry32(11);
    const codes = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const b = Uint8Array.from(bytes);
      for (let k = 0; k < 1 + Math.floor(rnd() * 3); k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const code = await codeOf(() => {
        const t = decodeSkipgramCounts(b);
        return skipgramCountStats(t);  // a table that decodes is a valid table
      });
      expect(code === 'none' || (/^E_/.test(code) && code !== 'E_NATIVE')).toBe(true);
      codes.add(code);
    }
    expect(codes.has('E_COUNT_TABLE')).toBe(true);  // corruption of the data is caught by the checks
  });

  it('corrupt and mismatched count files give their codes', async () => {
    const dir = tempDir();
    const put = (name: string, b: Uint8Array): string => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, b);
      return f;
    };
    const meta = { format: 'bi-embed-skipgram-counts', version: '1', offsets: '2,1', positions: '4' };
    const file = (counts: Uint32Array | Int32Array, dtype = 'U32', over: Record<string, string> = {}): Uint8Array => writeSafetensors([
      { name: 'contexts', dtype: 'U64', shape: [3], data: good.contexts },
      { name: 'next', dtype: 'U8', shape: [3], data: good.next },
      { name: 'counts', dtype, shape: [3], data: new Uint8Array(counts.buffer) },
    ], { ...meta, ...over });
    expect(await codeOf(() => loadSkipgramCounts(put('ok.safetensors', file(good.counts))))).toBe('none');
    const bytes = encodeSkipgramCounts(good);
    const cases: Array<[string, Uint8Array | string]> = [
      ['E_SAFETENSORS_TRUNCATED', bytes.subarray(0, bytes.length - 5)],
      ['E_DTYPE', file(Int32Array.from(good.counts), 'I32')],
      ['E_SHAPE', writeSafetensors([{ name: 'contexts', dtype: 'U64', shape: [3], data: good.contexts }], meta)],
      ['E_MODEL_FORMAT', file(good.counts, 'U32', { format: 'bi-embed' })],
      ['E_MODEL_FORMAT', file(good.counts, 'U32', { version: '2' })],
      ['E_COUNT_TABLE', file(good.counts, 'U32', { positions: 'many' })],
      ['E_COUNT_TABLE', file(good.counts, 'U32', { offsets: '2,2' })],
      ['E_COUNT_TABLE', file(Uint32Array.from([1, 2, 2]))],  // Σ counts ≠ positions
      ['E_FILE_NOT_FOUND', path.join(dir, 'missing.safetensors')],
    ];
    for (const [i, [code, b]] of cases.entries()) {
      const f = typeof b === 'string' ? b : put(`bad${i}.safetensors`, b);
      expect(`${i} ${await codeOf(() => loadSkipgramCounts(f))}`).toBe(`${i} ${code}`);
    }
  });
});
