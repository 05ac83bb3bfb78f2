/**
 * Memory limits (docs/reliability.md): an allocation that fails on any thread is E_MEMORY_LIMIT,
 * never std::terminate; a training run is estimated before it starts and refused beyond maxBytes.
 */
import { Corpus } from '../lib/corpus';
import { train, trainMemoryBytes } from '../lib/train';
import { codeOf, runChild } from './helpers';

describe('allocation failure', () => {
  test('train on 2 threads under ulimit -v: E_MEMORY_LIMIT, the process survives', () => {
    // The address space a small training run needs (Node reserves ≈ 1 GB), plus 200 MB: enough for
    // the state, not for the window buffers of either of the 2 groups (≈ 320 MB each).
    const small = runChild(`
const { Corpus, train } = require(dist);
train({ corpus: Corpus.fromBytes(Buffer.alloc(1 << 16, 97)), hidden: 8, batch: 2, threads: 2, steps: 2 }).then(() =>
  console.log(/VmPeak:\\s*(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]));
`);
    const limitKb = Number(small.stdout) + 200 * 1024;
    expect(limitKb).toBeGreaterThan(200 * 1024);
    const r = runChild(`
const { Corpus, train } = require(dist);
train({ corpus: Corpus.fromBytes(Buffer.alloc(1 << 20, 97)), hidden: 512, batch: 2048, window: 50, threads: 2, steps: 1, maxBytes: 2 ** 40 })
  .then((r) => console.log('trained', r.steps), (e) => console.log(e.code));
`, [], { shell: `ulimit -v ${limitKb}` });
    expect({ status: r.status, signal: r.signal }).toEqual({ status: 0, signal: null });
    expect(r.stdout).toBe('E_MEMORY_LIMIT\n');
  });
});

describe('training memory is estimated before the run', () => {
  const corpus = Corpus.fromBytes(Buffer.alloc(1 << 16, 97));

  test('beyond maxBytes: E_MEMORY_LIMIT at once, naming the estimate', async () => {
    const opts = { corpus, hidden: 1024, batch: 4096, window: 50, steps: 1 };
    expect(trainMemoryBytes({ hidden: 1024, batch: 4096, window: 50, threads: 1, adam: true, trackBest: false })).toBeGreaterThan(2 ** 31);
    await expect(train(opts)).rejects.toMatchObject({ code: 'E_MEMORY_LIMIT', message: expect.stringMatching(/needs about \d+ MiB, over maxBytes = 2048 MiB/) });
    expect(await codeOf(() => train({ ...opts, hidden: 16, batch: 4, maxBytes: 1e5 }))).toBe('E_MEMORY_LIMIT');
  });

  test('the estimate grows with every dimension and covers the window buffers', () => {
    const base = { hidden: 128, batch: 64, window: 50, threads: 1, adam: true, trackBest: false };
    const b = trainMemoryBytes(base);
    for (const k of ['hidden', 'batch', 'window', 'threads'] as const) {
      expect(trainMemoryBytes({ ...base, [k]: base[k] * 2 })).toBeGreaterThan(b);
    }
    // hs, dz, dh: (3T + 1)·B·H floats at least.
    expect(b).toBeGreaterThan(4 * (3 * 50 + 1) * 64 * 128);
  });

  test('maxBytes must be a positive finite number: NaN or Infinity never turn the limit off', async () => {
    for (const maxBytes of [NaN, Infinity, -1, 0, '1e9']) {
      expect(await codeOf(() => train({ corpus, hidden: 16, batch: 4, steps: 1, maxBytes: maxBytes as number }))).toBe('E_OPTION');
    }
  });
});
