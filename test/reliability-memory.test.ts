/**
 * Memory the native code reads stays valid for the whole job (docs/reliability.md): a buffer
 * transferred while a job runs is copied instead of detached, a resizable one is refused.
 * Each case runs in a child process, because on failure it is a SIGSEGV.
 */
import { Corpus } from '../lib/corpus';
import { evaluate } from '../lib/evaluate';
import { Model } from '../lib/model';
import { train } from '../lib/train';
import { codeOf, randomModel, runChild } from './helpers';

// A model and a 256 KiB corpus in the child; `ref` is the bpc of an undisturbed evaluation.
const SETUP = `
const { Corpus, Model, evaluate, train } = require(dist);
const m = new Model(64); for (let i = 0; i < m.params.length; i++) m.params[i] = Math.sin(i) * 0.1;
const bytes = Buffer.alloc(1 << 18); for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 5)) & 255;
const corpus = Corpus.fromBytes(bytes);
const junk = [];
const collect = () => { global.gc(); global.gc(); for (let i = 0; i < 64; i++) junk.push(Buffer.alloc(1 << 18, 0xff)); };
// A pinned buffer in a transfer list is copied (Node 20) or refused with a DataCloneError (newer Node).
const transfer = (b) => { try { return structuredClone(b, { transfer: [b] }); } catch (e) { if (e.name !== 'DataCloneError') throw e; return null; } };
`;

function expectClean(r: ReturnType<typeof runChild>, out: RegExp): void {
  expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
  expect(r.stdout).toMatch(out);
}

describe('buffers transferred while a job runs', () => {
  test('evaluate: corpus and parameters transferred, collected, memory reused → the same bpc', () => {
    const r = runChild(`${SETUP}
(async () => {
  const ref = (await evaluate(m.clone(), Corpus.fromBytes(Buffer.from(bytes)))).bpc;
  const p = evaluate(m, corpus);
  let a = transfer(corpus.bytes.buffer);
  let b = transfer(m.params.buffer);
  a = b = null; collect();
  const r = await p;
  console.log(r.bpc === ref ? 'same' : 'differs ' + r.bpc + ' ' + ref);
})();`, ['--expose-gc']);
    expectClean(r, /^same$/m);
  });

  test('train: the corpus transferred between native calls → training finishes', () => {
    const r = runChild(`${SETUP}
(async () => {
  const p = train({ corpus, hidden: 16, batch: 4, window: 20, steps: 400, checkpointEvery: 20, evalEvery: 50 });
  let a = transfer(corpus.bytes.buffer);
  a = null; collect();
  const r = await p;
  console.log('steps', r.steps, Number.isFinite(r.testBpc));
})();`, ['--expose-gc']);
    expectClean(r, /^steps 400 true$/m);
  });
});

describe('resizable and growable buffers are refused', () => {
  const rab = (n: number): ArrayBuffer => new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(n, { maxByteLength: 2 * n });

  test('a corpus or model on a resizable ArrayBuffer: E_OPTION', async () => {
    expect(await codeOf(() => Corpus.fromBytes(new Uint8Array(rab(4096))))).toBe('E_OPTION');
    expect(await codeOf(() => new Model(4, new Float32Array(rab(4 * new Model(4).paramCount))))).toBe('E_OPTION');
    const grow = new (SharedArrayBuffer as unknown as new (n: number, o: object) => SharedArrayBuffer)(4096, { maxByteLength: 8192 });
    expect(await codeOf(() => Corpus.fromBytes(new Uint8Array(grow)))).toBe('E_OPTION');
  });

  test('resized under a running evaluate: refused before it starts, no crash', () => {
    const r = runChild(`${SETUP}
const rab = new ArrayBuffer(1 << 18, { maxByteLength: 1 << 19 });
new Uint8Array(rab).set(bytes);
(async () => {
  try {
    const p = evaluate(m, Corpus.fromBytes(new Uint8Array(rab)));
    rab.resize(16); collect();
    console.log('resolved', (await p).bpc);
  } catch (e) { console.log(e.code); }
})();`, ['--expose-gc']);
    expectClean(r, /^E_OPTION$/m);
  });

  test('the glue refuses one too (an array that bypasses the classes)', async () => {
    const model = randomModel(4, 1, 0.1);
    const corpus = Corpus.fromBytes(Buffer.alloc(64, 1));
    Object.defineProperty(corpus, 'bytes', { value: new Uint8Array(rab(64)) });
    expect(await codeOf(() => evaluate(model, corpus))).toBe('E_OPTION');
    expect(await codeOf(() => train({ corpus, hidden: 4, batch: 1, window: 8, steps: 1 }))).toBe('E_OPTION');
  });
});
