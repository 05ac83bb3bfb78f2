/**
 * φ (SPEC §2) through the public API: counts and tensors against brute force in plain
 * TypeScript, the state holding the hash g steps back, sampled states against the real
 * trajectory, the grid's winner against evaluate(), study and scale runs, errors, CLI.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Corpus } from '../lib/corpus';
import { evaluate } from '../lib/evaluate';
import { loadModel } from '../lib/io/model-file';
import {
  PHI_ALPHAS, PHI_SCALES, buildPhiModel, construct, countPhi, fitPhiReadout, phiGridSearch, samplePhiRows,
} from '../lib/phi';
import { captureTrajectory } from '../lib/trajectory';
import { codeOf, corpusPath, interruptCli, mulberry32, repoRoot, studyPath, tempDir } from './helpers';

// The study's hash written independently of the native one: 32-bit via Math.imul.
function hashSign(x: number, j: number): number {
  let h = x >>> 0;
  h = Math.imul((h >>> 4) ^ h, 0x45d9f3b) >>> 0;
  h = ((h >>> 16) ^ h) >>> 0;
  h = (h + Math.imul(j, 2654435761)) >>> 0;
  h = Math.imul((h >>> 4) ^ h, 0x45d9f3b) >>> 0;
  h = ((h >>> 16) ^ h) >>> 0;
  return h & 1 ? 1 : -1;
}

function textCorpus(n: number, seed: number): Corpus {
  const rnd = mulberry32(seed);
  const b = new Uint8Array(n);
  const alphabet = 'the quick brown fox <a> jumps\n';
  for (let i = 0; i < n; i++) b[i] = rnd() < 0.9 ? alphabet.charCodeAt(Math.floor(rnd() * alphabet.length)) : Math.floor(rnd() * 256);
  return Corpus.fromBytes(b, `text-${seed}`);
}

describe('φ counts and tensors', () => {
  const corpus = textCorpus(3000, 7);
  const x = corpus.bytes;
  const n = x.length;

  it('counts c± and by match a brute-force count, for every group', async () => {
    const c = await countPhi(corpus);
    expect(c.n).toBe(n);
    for (let g = 0; g < 16; g++) {
      const plus = new Float64Array(8 * 256);
      const total = new Float64Array(256);
      for (let t = g; t <= n - 2; t++) {
        total[x[t + 1]]++;
        for (let j = 0; j < 8; j++) if (hashSign(x[t - g], j) > 0) plus[j * 256 + x[t + 1]]++;
      }
      let bad = 0;
      for (let o = 0; o < 256; o++) {
        bad += Number(c.total[g * 256 + o] !== total[o]);
        for (let j = 0; j < 8; j++) bad += Number(c.plus[(g * 8 + j) * 256 + o] !== plus[j * 256 + o]);
      }
      expect([g, bad]).toEqual([g, 0]);
    }
  });

  it('the constructed tensors follow SPEC §2', async () => {
    const c = await countPhi(corpus);
    const m = buildPhiModel(c, { alpha: 2, scale: 0.4 });
    expect(m.paramCount).toBe(82304);
    let bad = 0;
    for (let i = 0; i < 128; i++) {
      for (let b = 0; b < 256; b++) bad += Number(m.Wx[i * 256 + b] !== (i < 8 ? 10 * hashSign(b, i) : 0));
      for (let j = 0; j < 128; j++) bad += Number(m.Wh[i * 128 + j] !== (i >= 8 && j === i - 8 ? 5 : 0));
      bad += Number(m.bh[i] !== 0);
    }
    expect(bad).toBe(0);
    const count = new Float64Array(256);
    for (const b of x) count[b]++;
    for (let o = 0; o < 256; o++) expect(m.by[o]).toBeCloseTo(Math.log((count[o] + 0.5) / (n + 128)), 5);
    for (const g of [0, 7, 15]) {
      for (let j = 0; j < 8; j++) {
        const cp = new Float64Array(256).fill(2);
        const cm = new Float64Array(256).fill(2);
        for (let t = g; t <= n - 2; t++) (hashSign(x[t - g], j) > 0 ? cp : cm)[x[t + 1]]++;
        const Tp = cp.reduce((a, b) => a + b, 0);
        const Tm = cm.reduce((a, b) => a + b, 0);
        let worst = 0;
        for (let o = 0; o < 256; o++) {
          worst = Math.max(worst, Math.abs(m.Wy[o * 128 + g * 8 + j] - 0.4 * (Math.log(cp[o] / Tp) - Math.log(cm[o] / Tm))));
        }
        expect(worst).toBeLessThan(1e-5);
      }
    }
  });

  it('the state holds the hash of the byte g steps back: 100% sign agreement after 16 steps', async () => {
    const m = buildPhiModel(await countPhi(corpus), { alpha: 1, scale: 1 });
    const tr = await captureTrajectory(m, corpus, { capture: ['hidden'] });
    let agree = 0;
    let total = 0;
    for (let t = 16; t < n; t++) {
      for (let g = 0; g < 16; g++) {
        for (let j = 0; j < 8; j++) {
          agree += Number((tr.states![t * 128 + g * 8 + j] >= 0) === (hashSign(x[t - g], j) > 0));
          total++;
        }
      }
    }
    expect(agree).toBe(total);
  });

  it('sampled states are the real trajectory at the sampled positions', async () => {
    const m = buildPhiModel(await countPhi(corpus), { alpha: 1, scale: 0 });
    const rows = await samplePhiRows(corpus, [200, 2500], m.bh, 300, 5);
    const tr = await captureTrajectory(m, corpus, { capture: ['hidden'], range: [200, 2500] });
    let worst = 0;
    for (let i = 0; i < 300; i++) {
      const t = rows.positions![i];
      expect(t).toBeGreaterThanOrEqual(215);
      expect(t).toBeLessThanOrEqual(2498);
      expect(rows.targets[i]).toBe(x[t + 1]);
      for (let k = 0; k < 128; k++) worst = Math.max(worst, Math.abs(rows.states[i * 128 + k] - tr.states![(t - 200) * 128 + k]));
    }
    expect(worst).toBeLessThan(1e-6);
  });
});

describe('φ study mode on enwik_1024.txt', () => {
  let r: Awaited<ReturnType<typeof construct>>;
  let corpus: Corpus;
  beforeAll(async () => {
    corpus = Corpus.open(studyPath('enwik_1024.txt'));
    r = await construct(corpus, { mode: 'study', epochs: 200 }); // SPEC's 1000 epochs: the CLI's default
  });

  it('the analytic model is the grid winner, and evaluate() agrees with the grid', async () => {
    const g = r.analytic.grid;
    expect(g.alphas).toEqual(PHI_ALPHAS);
    expect(g.scales).toEqual(PHI_SCALES);
    expect(g.positions).toBe(1023);
    const min = Math.min(...g.bpc.flat());
    expect(r.analytic.trainBpc).toBeCloseTo(min, 4);
    expect(g.bpc[g.alphas.indexOf(r.analytic.alpha)][g.scales.indexOf(r.analytic.scale)]).toBe(min);
    // Any other grid point, rebuilt and evaluated as an ordinary model, gives the grid's number.
    const m = buildPhiModel(await countPhi(corpus), { alpha: 4, scale: 1.5 });
    expect((await evaluate(m, corpus)).bpc).toBeCloseTo(g.bpc[7][29], 4);
    expect(r.test).toBeUndefined();
    expect(r.analytic.testBpc).toBeUndefined();
  });

  it('the optimised readout fits better in-sample than the analytic one, and the verdict says so plainly', () => {
    expect(r.optimised.positions).toBe(1024 - 18);
    expect(r.optimised.fitLossLast).toBeLessThan(r.optimised.fitLossFirst);
    expect(r.optimised.trainBpc).toBeLessThan(r.analytic.trainBpc);
    const a = r.analytic.trainBpc.toFixed(2) === '1.89';
    expect(r.study!.reproduced.analytic).toBe(a);
    expect(r.study!.verdict).toContain(a ? 'reproduced' : 'not reproduced');
    expect(r.study!.verdict).toContain(r.analytic.trainBpc.toFixed(2));
    expect(r.analyticSignBias!.bh).toBe('sign-log-odds');
    expect(r.models.analyticSignBias!.bh.some((v) => v !== 0)).toBe(true);
  });
});

describe('φ scale mode', () => {
  it('fits on train, reports train and test, and states its sampling', async () => {
    const corpus = textCorpus(40000, 3);
    const r = await construct(corpus, { mode: 'scale', gridPositions: 3000, fitPositions: 1000, epochs: 30, signBias: false });
    expect(r.train).toEqual([0, 36000]);
    expect(r.test).toEqual([36000, 40000]);
    expect(r.sampling).toContain('3000');
    for (const row of [r.analytic, r.optimised]) {
      expect(Number.isFinite(row.trainBpc)).toBe(true);
      expect(Number.isFinite(row.testBpc)).toBe(true);
    }
    const test = await evaluate(r.models.analytic, corpus, { ranges: [[36000, 40000]] });
    expect(r.analytic.testBpc).toBeCloseTo(test.bpc, 6);
    expect(r.trained).toBeUndefined();
  });

  it('with trained rows, trains from the recipe and from the analytic model and says which way the claim went', async () => {
    const corpus = textCorpus(40000, 4);
    const r = await construct(corpus, {
      mode: 'scale', gridPositions: 1000, fitPositions: 500, epochs: 5, signBias: false, trained: true, trainSeconds: 1,
    });
    expect(r.trainedReason).toBeUndefined();
    expect(r.trainBudgetSeconds).toBe(1);
    expect(r.trained!.init).toBe('recipe');
    expect(r.trainedFromConstruction!.init).toBe('analytic');
    expect(r.trained!.steps).toBeGreaterThan(0);
    expect(r.trained!.paramsFromData).toBe(82304);
    const beaten = [r.analytic, r.optimised].every((x) => x.testBpc! < r.trained!.testBpc!);
    expect(r.claim!.startsWith(beaten ? 'holds' : 'does not hold')).toBe(true);
  });

  it('grid and readout fit reject bad input with codes, and stop on abort', async () => {
    const corpus = textCorpus(2000, 1);
    const c = await countPhi(corpus);
    const m = buildPhiModel(c, { alpha: 1, scale: 0 });
    const rows = await samplePhiRows(corpus, [0, 2000], m.bh, 50, 1);
    expect(await codeOf(() => phiGridSearch(c, m.by, { states: rows.states.subarray(1), targets: rows.targets }))).toBe('E_SHAPE');
    expect(await codeOf(() => phiGridSearch(c, m.by, rows, { alphas: [0] }))).toBe('E_OPTION');
    expect(await codeOf(() => buildPhiModel(c, { alpha: -1, scale: 1 }))).toBe('E_OPTION');
    expect(await codeOf(() => construct(corpus, { mode: 'nope' as 'study' }))).toBe('E_OPTION');
    expect(await codeOf(() => construct(Corpus.fromBytes(new Uint8Array(20)), { mode: 'study' }))).toBe('E_CORPUS_TOO_SHORT');
    expect(await codeOf(() => samplePhiRows(corpus, [0, 10], m.bh, 5, 1))).toBe('E_CORPUS_TOO_SHORT');
    const before = new Float32Array(m.Wy);
    await fitPhiReadout(m, rows, { epochs: 0 });
    expect(m.Wy).toEqual(before);
    const ctl = new AbortController();
    const p = fitPhiReadout(m, rows, { epochs: 1_000_000, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 50);
    expect(await codeOf(() => p)).toBe('E_ABORTED');
  });
});

describe('bi-embed construct', () => {
  it('--study --json prints analytic and optimised with their hyper-parameters; --out-dir writes loadable models', async () => {
    const dir = tempDir();
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'bi-embed.js'), 'construct', '--corpus', studyPath('enwik_1024.txt'),
      '--mode', 'study', '--epochs', '20', '--no-sign-bias', '--json', '--out-dir', dir], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.analytic.trainBpc).toBeGreaterThan(0);
    expect(PHI_ALPHAS).toContain(out.analytic.alpha);
    expect(PHI_SCALES).toContain(out.analytic.scale);
    expect(out.optimised.epochs).toBe(20);
    expect(out.analytic.testBpc).toBeUndefined();
    const loaded = loadModel(path.join(dir, 'analytic.safetensors'));
    expect(loaded.metadata.alpha).toBe(String(out.analytic.alpha));
    expect((await evaluate(loaded, Corpus.open(studyPath('enwik_1024.txt')))).bpc).toBeCloseTo(out.analytic.trainBpc, 6);
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'construct.json'), 'utf8')).analytic.alpha).toBe(out.analytic.alpha);
    const bad = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'bi-embed.js'), 'construct', '--corpus', studyPath('enwik_1024.txt'), '--mode', 'x'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('E_OPTION');
  });

  it('Ctrl-C (SIGINT) keeps the finished rows: says them with their bpc, their models in --out-dir; exits 130', async () => {
    const dir = tempDir();
    const corpus = path.join(dir, 'c.txt');
    fs.writeFileSync(corpus, fs.readFileSync(corpusPath('tinyshakespeare.txt')).subarray(0, 100_000));
    const out = path.join(dir, 'out');
    // Interrupted during the readout fit (stage 4 of 8: both analytic rows are done; the fit's epochs take long).
    const r = await interruptCli(['construct', '--corpus', corpus, '--mode', 'scale', '--grid-positions', '2000', '--fit-positions', '2000',
      '--epochs', '1000000', '--out-dir', out, '--progress', 'json', '--json'], /"stage":"construct","done":4\.\d*[1-9]/);
    expect(r.code).toBe(130);
    expect(r.stdout).toBe('');
    const said = /interrupted: finished rows: analytic \(train bpc (\d\.\d{4}), test (\d\.\d{4}) → [^)]*analytic\.safetensors\); analytic \(sign log-odds bh\)/.exec(r.stderr);
    expect(said).not.toBeNull();
    const c = Corpus.open(corpus);
    const split = c.split();
    const analytic = loadModel(path.join(out, 'analytic.safetensors'));
    expect((await evaluate(analytic, c, { ranges: [split.test] })).bpc).toBeCloseTo(Number(said![2]), 3);
    expect(fs.existsSync(path.join(out, 'analytic-sign-bias.safetensors'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'optimised.safetensors'))).toBe(false);
    expect(fs.existsSync(path.join(out, 'construct.json'))).toBe(false);
  });
});
