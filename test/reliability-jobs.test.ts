/**
 * How jobs end when their caller goes away or misbehaves (docs/reliability.md): a Worker
 * terminated during a job, a progress callback that throws.
 */
import { Corpus } from '../lib/corpus';
import { evaluate } from '../lib/evaluate';
import { randomModel, runChild } from './helpers';

describe('Worker threads', () => {
  test('worker.terminate() during evaluate: the process lives on', () => {
    const r = runChild(`
const { Worker } = require('node:worker_threads');
const code = \`
const { Corpus, Model, evaluate } = require(\${JSON.stringify(dist)});
const m = new Model(128); for (let i = 0; i < m.params.length; i++) m.params[i] = Math.sin(i) * 0.1;
const bytes = Buffer.alloc(8 << 20, 97);
evaluate(m, Corpus.fromBytes(bytes), { onProgress: () => {} }).then(() => console.log('finished'));
require('node:worker_threads').parentPort.postMessage('started');
\`;
const workers = [0, 1].map(() => new Worker(code, { eval: true }));
let n = 0;
for (const w of workers) w.on('message', () => setTimeout(async () => {
  await w.terminate();
  console.log('terminated');
  if (++n === 2) console.log('main alive');
}, 200));
`);
    expect({ status: r.status, signal: r.signal, stderr: r.stderr }).toEqual({ status: 0, signal: null, stderr: '' });
    expect(r.stdout).toBe('terminated\nterminated\nmain alive\n');
  });
});

describe('a throwing progress callback', () => {
  test('stops evaluate, which rejects with what the callback threw', async () => {
    const model = randomModel(32, 1, 0.1);
    const corpus = Corpus.fromBytes(Buffer.alloc(1 << 20, 97));
    let calls = 0;
    const boom = new Error('boom');
    await expect(evaluate(model, corpus, { onProgress: () => { calls++; throw boom; } })).rejects.toBe(boom);
    expect(calls).toBe(1); // the job stopped at its next poll: no more progress
  });
});
