import { Corpus } from '../lib/corpus';
import { evaluate } from '../lib/evaluate';
import { captureTrajectory, trajectoryBytes } from '../lib/trajectory';
import { codeOf, corpusPath, randomModel } from './helpers';

describe('captureTrajectory', () => {
  const corpus = Corpus.open(corpusPath('tinyshakespeare.txt'));
  const model = randomModel(13, 5, 0.6);

  it('captures states, pre-activations and sign bits that agree with each other and with eval', async () => {
    const t = await captureTrajectory(model, corpus, { range: [100, 400], capture: ['hidden', 'preact', 'signs'], losses: true });
    const H = 13;
    expect(t.steps).toBe(300);
    expect(t.states).toHaveLength(300 * H);
    expect(t.signs).toHaveLength(300 * 2);
    expect(t.bytes).toBe(trajectoryBytes(H, 300, ['hidden', 'preact', 'signs']));
    for (let i = 0; i < t.states!.length; i++) {
      expect(Math.abs(Math.tanh(t.preacts![i]) - t.states![i])).toBeLessThan(2e-6);
      const s = Math.floor(i / H), j = i % H;
      const bit = (t.signs![s * 2 + (j >> 3)] >> (j & 7)) & 1;
      expect(bit).toBe(t.states![i] >= 0 ? 1 : 0);
    }
    const e = await evaluate(model, corpus, { ranges: [[100, 400]] });
    expect(Math.abs(t.bpc - e.bpc)).toBeLessThan(1e-6);
    expect(t.losses).toHaveLength(299);
  });

  it('states its memory and refuses to exceed maxBytes', async () => {
    expect(trajectoryBytes(128, 1000, ['hidden'])).toBe(512000);
    expect(trajectoryBytes(128, 1000, ['signs'])).toBe(16000);
    expect(await codeOf(() => captureTrajectory(model, corpus, { capture: ['hidden'], maxBytes: 1000 }))).toBe('E_MEMORY_LIMIT');
    expect(await codeOf(() => captureTrajectory(model, corpus, { capture: [] }))).toBe('E_OPTION');
  });
});
