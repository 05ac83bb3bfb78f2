/**
 * The public surface: every export is documented in docs/api.md (and every name there exported),
 * internal steps and test hooks are not exported, every API function rejects an unknown option key
 * with E_OPTION (naming the nearest key), progress arrives as one event shape, and train takes
 * signal and onProgress in its options (the old second argument still works).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';
import * as api from '../lib';
import { Corpus } from '../lib/corpus';
import { native } from '../lib/native';
import { codeOf, corpusPath, randomModel, repoRoot, studyPath, tempDir } from './helpers';

function exportedNames(): string[] {
  const file = path.join(repoRoot, 'lib', 'index.ts');
  const program = ts.createProgram([file], { strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, types: [] });
  const checker = program.getTypeChecker();
  return checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!).map((s) => s.name).sort();
}

describe('the public surface', () => {
  const names = exportedNames();
  const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'api.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/`([A-Za-z_][A-Za-z0-9_]*)(?:\(|`|<| )/g)].map((m) => m[1]));

  it('every export is listed in docs/api.md', () => {
    expect(names.filter((n) => !documented.has(n))).toEqual([]);
  });

  it('ISA_NAMES (the one literal copy, for the IsaName type) equals the addon registry, order included', () => {
    expect([...api.ISA_NAMES]).toEqual([...native().isaNames]);
  });

  it('keeps test hooks and internal steps out', () => {
    for (const internal of ['nanAtStep', 'countPhi', 'buildPhiModel', 'samplePhiRows', 'phiGridSearch', 'fitPhiReadout',
      'hebbianEstimates', 'factorMap', 'readBack', 'stateFeatureMap', 'initTrainModel', 'saveCheckpoint', 'fmaPeak', 'JobOptions']) {
      expect(names).not.toContain(internal);
    }
  });
});

describe('strict options', () => {
  const model = randomModel(8, 1);
  const corpus = Corpus.fromBytes(Buffer.from('the quick brown fox jumps over the lazy dog, again and again'));
  const counts = () => api.countSkipgrams(corpus, { offsets: [1] });
  // One call per public function, each with a misspelt key.
  const calls: Array<[string, () => unknown, string]> = [
    ['evaluate', () => api.evaluate(model, corpus, { rnages: [[0, 10]] } as never), 'ranges'],
    ['captureTrajectory', () => api.captureTrajectory(model, corpus, { capture: ['hidden'], maxbytes: 1 } as never), 'maxBytes'],
    ['nextByteProbabilities', () => api.nextByteProbabilities(model, 'a', { iso: 'scalar' } as never), 'isa'],
    ['sample', () => api.sample(model, 'a', { bytes: 1, temprature: 1 } as never), 'temperature'],
    ['scoreText', () => api.scoreText(model, 'abc', { thread: 1 } as never), 'threads'],
    ['order0Entropy', () => api.order0Entropy(corpus, undefined, { signl: undefined, x: 1 } as never), ''],
    ['train', () => api.train({ corpus, stpes: 1 } as never), 'steps'],
    ['train nanAtStep', () => api.train({ corpus, steps: 1, nanAtStep: 0 } as never), ''],
    ['construct', () => api.construct(corpus, { epoch: 1 } as never), 'epochs'],
    ['readModel', () => api.readModel(model, corpus, { postions: 1 } as never), 'positions'],
    ['runSkipgram', () => api.runSkipgram(corpus, { ofsets: [1] } as never), 'offsets'],
    ['skipgramStats', () => api.skipgramStats(corpus, [1], { rnage: [0, 5] } as never), 'range'],
    ['miProfile', () => api.miProfile(corpus, { maxOfset: 3 } as never), 'maxOffset'],
    ['greedyStudy', () => api.greedyStudy(corpus, { order: 2, strat: [1] } as never), 'start'],
    ['heldOutBpc', () => api.heldOutBpc(corpus, [1], { train: [0, 30], test: [30, 50], smothing: 'witten-bell' } as never), 'smoothing'],
    ['greedyHeldOut', () => api.greedyHeldOut(corpus, { order: 1, fit: [0, 20], valid: [20, 40], treads: 1 } as never), 'threads'],
    ['patternWitness', () => api.patternWitness(model, corpus, [1], { maxbytes: 1 } as never), 'maxBytes'],
    ['countSkipgrams', () => api.countSkipgrams(corpus, { offsets: [1], ranges: [0, 5] } as never), 'range'],
    ['mergeSkipgramCounts', async () => api.mergeSkipgramCounts([await counts()], { progress: 1 } as never), ''],
    ['skipgramCountStats', async () => api.skipgramCountStats(await counts(), { sigal: 1 } as never), 'signal'],
    ['heldOutFromCounts', async () => api.heldOutFromCounts(await counts(), corpus, { test: [10, 20], maxbytes: 1 } as never), 'maxBytes'],
    ['loadModel', () => api.loadModel(studyPath('sat_model.bin'), { hiden: 128 } as never), 'hidden'],
    ['loadModelFile', () => api.loadModelFile(studyPath('sat_model.bin'), { fromat: 'raw' } as never), 'format'],
    ['saveModel', () => api.saveModel(model, path.join(tempDir(), 'm.safetensors'), { extras: new Map() } as never), 'extra'],
    ['convertModel', () => api.convertModel(studyPath('sat_model.bin'), path.join(tempDir(), 'm.safetensors'), { hidden: 128, x: 1 } as never), ''],
    ['booleanStructure', () => api.booleanStructure(model, corpus, { stream: 2 } as never), 'streams'],
    ['signVectors', () => api.signVectors(model, corpus, { dynamic: 'true' } as never), 'dynamics'],
    ['ablateNeurons', () => api.ablateNeurons(model, corpus, { rang: [0, 10] } as never), 'range'],
    ['attribute', () => api.attribute(model, corpus, { sample: 2 } as never), 'samples'],
    ['pmiTables', () => api.pmiTables(corpus, { maxOfset: 2 } as never), 'maxOffset'],
    ['counterfactualAttribution', () => api.counterfactualAttribution(model, corpus, null as never, [5], { threds: 1 } as never), 'threads'],
    ['jacobianAttribution', () => api.jacobianAttribution(model, corpus, null as never, { keepalpha: true } as never), 'keepAlpha'],
    ['errorSources', () => api.errorSources(model, corpus, { synergybytes: 1 } as never), 'synergyBytes'],
    ['pairwiseSynergy', () => api.pairwiseSynergy(corpus, { tops: 1 } as never), 'top'],
    ['runStudy', () => api.runStudy({ out: tempDir(), trainSecond: 1 } as never), 'trainSeconds'],
  ];

  it('covers every function of lib/api.ts', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const functions = Object.entries(require('../lib/api') as Record<string, unknown>).filter(([, v]) => typeof v === 'function').map(([k]) => k);
    expect([...new Set(calls.map(([name]) => name.split(' ')[0]))].sort()).toEqual(functions.sort());
    // and every public function that takes options is one of them (lib/index.ts re-exports lib/api.ts's)
    for (const f of functions) expect((api as Record<string, unknown>)[f]).toBe((require('../lib/api') as Record<string, unknown>)[f]);
  });

  it.each(calls)('%s rejects an unknown key with E_OPTION and a did-you-mean', async (_name, call, guess) => {
    let err: { code?: string; message?: string } = {};
    try { await call(); } catch (e) { err = e as typeof err; }
    expect(err.code).toBe('E_OPTION');
    expect(err.message).toMatch(/unknown option/);
    if (guess) expect(err.message).toContain(`did you mean '${guess}'`);
  });

  it('passes the one progress event shape from the public functions', async () => {
    const events: api.ProgressEvent[] = [];
    const big = Corpus.fromBytes(Buffer.alloc(200_000, 97));
    await api.evaluate(model, big, { onProgress: (e) => events.push(e) });
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(Object.keys(e).sort()).toEqual(['done', 'etaSeconds', 'stage', 'total', 'unit']);
    expect(events[events.length - 1]).toMatchObject({ stage: 'evaluate', etaSeconds: 0 });
    expect(events[events.length - 1].done).toBe(events[events.length - 1].total);
  });

  it.each([
    ['booleanStructure', (o: object) => api.booleanStructure(model, corpus, { mode: 'study', ...o })],
    ['attribute', (o: object) => api.attribute(model, corpus, { mode: 'study', ...o })],
    ['errorSources', (o: object) => api.errorSources(model, corpus, { mode: 'study', ...o })],
  ])('%s: the one event shape, and signal cancels', async (stage, call) => {
    const events: api.ProgressEvent[] = [];
    await call({ onProgress: (e: api.ProgressEvent) => events.push(e) });
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(Object.keys(e).sort()).toEqual(['done', 'etaSeconds', 'stage', 'total', 'unit']);
    expect(events[events.length - 1]).toMatchObject({ stage, unit: 'stages' });
    const ctl = new AbortController();
    ctl.abort();
    expect(await codeOf(() => call({ signal: ctl.signal }))).toBe('E_ABORTED');
  });

  it('train: signal and onProgress in the options; the old second argument still works', async () => {
    const text = Corpus.fromBytes(fs.readFileSync(corpusPath('tinyshakespeare.txt')).subarray(0, 20_000));
    const seen: api.TrainProgressEvent[] = [];
    const r = await api.train({ corpus: text, hidden: 8, batch: 2, steps: 20, evalEvery: 10, onProgress: (e) => seen.push(e) });
    expect(r.steps).toBe(20);
    expect(seen[seen.length - 1]).toMatchObject({ stage: 'train', unit: 'steps', done: 20, total: 20 });
    const ctl = new AbortController();
    ctl.abort();
    expect(await codeOf(() => api.train({ corpus: text, hidden: 8, batch: 2, steps: 20, signal: ctl.signal }))).toBe('E_ABORTED');
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const old: number[] = [];
    await api.train({ corpus: text, hidden: 8, batch: 2, steps: 10 }, { onProgress: (p) => old.push(p.step) });
    expect(old[old.length - 1]).toBe(10);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('deprecated'), 'DeprecationWarning');
    warn.mockClear();
    // --resume on another thread count: continues (from the checkpoint's step) with a warning.
    const out = path.join(tempDir(), 'r.safetensors');
    await api.train({ corpus: text, hidden: 8, batch: 2, steps: 10, threads: 1, out });
    const resumed = await api.train({ corpus: text, hidden: 8, batch: 2, steps: 16, threads: 2, out, resume: true });
    expect(resumed.steps).toBe(16);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('trained with 1 thread(s), this run has 2'), 'BiEmbedWarning');
    warn.mockRestore();
  });
});
