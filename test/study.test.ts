/**
 * bi-embed study (SPEC §8–§9): the study-mode figures on the study's files, results.json
 * against its schema, the stage cache (reuse, --force, a changed option), and a scale-mode
 * run killed midway that resumes from its cached stages.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readResults, runStudy, StudyOptions } from '../lib/study/runner';
import { resultsJsonSchema, validateResults } from '../lib/study/schema';
import { REPORT_SECTIONS } from '../lib/report/html';
import { codeOf, corpusPath, repoRoot, studyPath, tempDir } from './helpers';

describe('bi-embed study, study mode on the embedded text with the study model', () => {
  let out: string;
  beforeAll(() => {
    process.env.BI_EMBED_STUDY_DIR = path.dirname(studyPath('sat_model.bin'));
    out = tempDir();
  });

  it('reproduces every SPEC §9 figure and writes a results.json that validates', async () => {
    const run = await runStudy({ out });
    const r = readResults(run.resultsPath);
    expect(r.model.kind).toBe('study');
    expect(r.corpus.embedded).toBe(true);
    expect(fs.readFileSync(path.join(repoRoot, 'data', 'enwik_1024.txt'))).toEqual(fs.readFileSync(studyPath('enwik_1024.txt')));

    const s = r.stages;
    expect(s.eval.result.trainBpc.toFixed(3)).toBe('0.079');
    expect(s.psi.result.read.wxTop.slice(0, 3).map((b) => `${b.name} ${b.norm.toFixed(2)}`)).toEqual(['< 3.75', 'space 3.74', '> 3.49']);
    const fm = s.psi.result.read.factorMap;
    expect(fm.meanR2.toFixed(3)).toBe('0.837');
    expect(fm.countAbove).toBe(120);
    expect(fm.pairHistogram[0]).toMatchObject({ pair: [1, 7], neurons: 52 });
    const [wl, it] = s.psi.result.read.readBack.levels.slice(1);
    expect([wl.bpc.toFixed(2), Math.round(100 * wl.shareOfGain)]).toEqual(['0.50', 91]);
    expect([it.bpc.toFixed(2), (100 * it.shareOfGain).toFixed(1)]).toEqual(['0.43', '92.5']);
    expect(s.skipgram.result.skip4).toMatchObject({ offsets: [1, 8, 20, 3], patterns: 712 });
    expect(s.skipgram.result.skip4!.bpc.toFixed(3)).toBe('0.069');
    expect(s.skipgram.result.greedy.offsets).toEqual([1, 8, 20, 3, 27, 2, 12, 7]);
    expect(s.skipgram.result.greedy.witness!.positions).toBe(1024 - 27); // s ∈ [max D, n)

    // each §9 target is marked reproduces; the study's other numbers are marked, not compared
    const marks = Object.fromEntries(r.figures.map((f) => [f.name, f.mark]));
    expect(r.figures.filter((f) => f.mark === 'reproduces')).toHaveLength(10);
    expect(r.figures.some((f) => f.mark === 'differs')).toBe(false);
    expect(marks['analytic construction, bpc']).toBe('not-reproducible');
    // SPEC §5–§7: computed on the study's files, every study number beside ours marked not reproducible (§9)
    const b = s.boolean.result;
    expect(b.trueDynamics.positions).toBe(1023);
    expect(b.trueDynamics.distinct).toBeGreaterThan(0);
    expect(b.trueDynamics.distinct).toBeLessThanOrEqual(1023);
    expect(b.ablation.knockout).toHaveLength(128);
    expect(b.trueDynamics.margins.histogram.reduce((n, h) => n + h.count, 0)).toBe(b.trueDynamics.margins.count);
    const al = s.alignment.result;
    expect(al.jacobian.curve.map((p) => p.d)).toEqual(Array.from({ length: al.jacobian.maxOffset }, (_, i) => i + 1));
    expect(al.counterfactual.positions).toEqual([42, 80, 100, 150, 200, 300, 400, 500]);
    const e = s.errors.result;
    expect(e.boolean.bpc).toBeCloseTo(b.trueDynamics.bpc!, 10); // the same sign-vector pass, two stages
    expect(e.firstOrder.r).toBeCloseTo(s.psi.result.read.hebbian.Wh.r!, 10);
    for (const sec of ['boolean', 'alignment', 'errors']) {
      const figs = r.figures.filter((f) => f.section === sec);
      expect(figs.length).toBeGreaterThanOrEqual(2);
      expect(figs.every((f) => f.mark === 'not-reproducible')).toBe(true);
    }
    expect(r.pending).toEqual([]);

    const html = fs.readFileSync(run.reportPath, 'utf8');
    for (const [id] of REPORT_SECTIONS) expect(html).toContain(`<section id="${id}">`);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect((html.match(/<svg /g) ?? []).length).toBeGreaterThanOrEqual(12);
    expect(html).not.toContain('Not yet available');
  });

  it('reuses every cached stage, recomputes with force, and rejects a results.json that breaks the schema', async () => {
    const again = await runStudy({ out });
    expect(Object.values(again.results.stages).map((x) => x.status)).toEqual(Array(7).fill('cached'));
    // (φ's readout with fewer epochs keeps these reruns short)
    const forced = await runStudy({ out, force: true, tuning: { phiEpochs: 20 } });
    expect(Object.values(forced.results.stages).map((x) => x.status)).toEqual(Array(7).fill('computed'));
    // a changed option of one stage recomputes that stage only
    const changed = await runStudy({ out, tuning: { phiEpochs: 10 } });
    expect(Object.fromEntries(Object.entries(changed.results.stages).map(([k, x]) => [k, x.status])))
      .toEqual({ eval: 'cached', phi: 'computed', psi: 'cached', skipgram: 'cached', boolean: 'cached', alignment: 'cached', errors: 'cached' });

    // a cached result that no longer fits its schema (hand-edited, torn by another tool) is recomputed
    const psiCache = path.join(out, 'cache', 'psi.json');
    const entry = JSON.parse(fs.readFileSync(psiCache, 'utf8'));
    entry.result.result.read.factorMap = null;
    fs.writeFileSync(psiCache, JSON.stringify(entry));
    const repaired = await runStudy({ out, tuning: { phiEpochs: 10 } });
    expect([repaired.results.stages.psi.status, repaired.results.stages.phi.status]).toEqual(['computed', 'cached']);

    const bad = JSON.parse(fs.readFileSync(again.resultsPath, 'utf8'));
    bad.stages.psi.result.read.factorMap.meanR2 = 'high';
    expect(await codeOf(() => validateResults(bad))).toBe('E_RESULTS_SCHEMA');
    delete bad.stages.psi;
    expect(await codeOf(() => validateResults(bad))).toBe('E_RESULTS_SCHEMA');
  });

  it('ships the JSON Schema it validates with', () => {
    const shipped = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schema', 'results.schema.json'), 'utf8'));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(resultsJsonSchema())));
    expect(shipped.properties.stages.required).toEqual(['eval', 'phi', 'psi', 'skipgram', 'boolean', 'alignment', 'errors']);
  });

  it('refuses bad options with coded errors', async () => {
    expect(await codeOf(() => runStudy({ out, mode: 'fast' as 'study' }))).toBe('E_OPTION');
    expect(await codeOf(() => runStudy(null as unknown as StudyOptions))).toBe('E_OPTION');
    expect(await codeOf(() => runStudy({ out: '' }))).toBe('E_OPTION');
    expect(await codeOf(() => runStudy({ out, model: studyPath('sat_model.bin'), trainSeconds: 5 }))).toBe('E_OPTION');
    expect(await codeOf(() => runStudy({ out, corpus: path.join(out, 'missing.txt') }))).toBe('E_FILE_NOT_FOUND');
  });
});

describe('bi-embed study, scale mode killed midway', () => {
  // A small scale-mode study: 100 KB of text, short training, small φ and ψ samples.
  const options = (corpus: string, out: string): StudyOptions => ({
    corpus, out, mode: 'scale', trainSeconds: 2, threads: 1,
    tuning: { phiGridPositions: 2000, phiFitPositions: 1000, phiEpochs: 50, phiTrainSeconds: 1, psiPositions: 20000 },
  });

  it('resumes at the first stage not cached after a SIGKILL', async () => {
    const dir = tempDir();
    const corpus = path.join(dir, 'text.txt');
    fs.writeFileSync(corpus, fs.readFileSync(corpusPath('tinyshakespeare.txt')).subarray(0, 100_000));
    const out = path.join(dir, 'out');
    const runner = path.join(repoRoot, 'dist', 'study', 'runner.js');
    const child = spawn(process.execPath, ['-e',
      `require(${JSON.stringify(runner)}).runStudy(${JSON.stringify(options(corpus, out))})`], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // kill once the model and the first stage are cached (φ is then running)
    const evalFile = path.join(out, 'cache', 'eval.json');
    for (let i = 0; i < 1200 && !fs.existsSync(evalFile) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(evalFile)).toBe(true);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(fs.existsSync(path.join(out, 'results.json'))).toBe(false);
    const cachedBefore = fs.readdirSync(path.join(out, 'cache')).filter((f) => f.endsWith('.json')).sort();
    const evalBytes = fs.readFileSync(evalFile);

    const events: string[] = [];
    const run = await runStudy({ ...options(corpus, out), onEvent: (e) => { if (e.type === 'end') events.push(`${e.id}:${e.status}`); } });
    expect(run.results.model.training!.cached).toBe(true);
    // every stage cached before the kill is read back, the others are computed
    const stages = ['eval', 'phi', 'psi', 'skipgram', 'boolean', 'alignment', 'errors'];
    expect(events).toEqual(['model:cached', ...stages.map((s) => `${s}:${cachedBefore.includes(`${s}.json`) ? 'cached' : 'computed'}`)]);
    expect(cachedBefore).toContain('train.json');
    expect(events).toContain('phi:computed');
    expect(fs.readFileSync(evalFile)).toEqual(evalBytes);
    expect(run.results.stages.phi.result.test).toBeDefined();
    expect(run.results.stages.boolean.result.split).toMatch(/^test split/);
    expect(run.results.stages.alignment.result.split.pmi[1]).toBeLessThanOrEqual(run.results.stages.alignment.result.split.attribution[0]);
    expect(run.results.figures.every((f) => f.mark === 'not-comparable')).toBe(true);
  }, 300_000); // two study runs; with the scalar kernels on a loaded machine they took 155–200 s
});

describe('bi-embed study CLI', () => {
  it('writes results.json and report.html and prints their paths', () => {
    const out = tempDir();
    const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'bi-embed.js'), 'study', '--out', out, '--json'],
      { encoding: 'utf8', env: { ...process.env, BI_EMBED_STUDY_DIR: path.dirname(studyPath('sat_model.bin')) } });
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.results).toBe(path.join(out, 'results.json'));
    expect(fs.existsSync(j.report)).toBe(true);
    expect(readResults(j.results).command).toBe(`bi-embed study --out ${out} --json`);
  });
});

describe('skip-gram selection on a sample of train (scale mode)', () => {
  it('searches the last selectionBytes of train, counts the last countBytes, and equals the full search when they cover train', async () => {
    const { Corpus } = await import('../lib/corpus');
    const { runSkipgram } = await import('../lib/skipgram');
    const corpus = Corpus.fromBytes(fs.readFileSync(corpusPath('tinyshakespeare.txt')).subarray(0, 200_000), 'ts200k');
    const base = { mode: 'scale' as const, greedy: 3, maxOffset: 8 };
    const full = await runSkipgram(corpus, base);
    const covering = await runSkipgram(corpus, { ...base, selectionBytes: 10_000_000, countBytes: 10_000_000 });
    expect(covering).toEqual(full);
    const sampled = await runSkipgram(corpus, { ...base, selectionBytes: 50_000, countBytes: 100_000 });
    expect(sampled.split).toEqual({ train: [80_000, 180_000], fit: [130_000, 175_000], valid: [175_000, 180_000], test: [180_000, 200_000] });
    expect(sampled.offsets[0]).toBe(1);
    expect(sampled.orders!.map((o) => o.offsets)).toEqual([1, 2, 3].map((k) => sampled.offsets.slice(0, k)));
    expect(await codeOf(() => runSkipgram(corpus, { ...base, selectionBytes: 1 }))).toBe('E_OPTION');
  });
});

describe('train bpc on a sample of long ranges (scale mode: eval and φ rows)', () => {
  it('sampleRanges: evenly spaced streams of bytes/streams inside the range; short ranges whole', async () => {
    const { sampleRanges, splitRange } = await import('../lib/evaluate');
    const s = sampleRanges([1000, 1000 + 90_000_000], 16 << 20);
    expect(s).toHaveLength(64);
    for (const [a, b] of s) expect(b - a).toBe((16 << 20) / 64);
    expect(s[0][0]).toBe(1000);
    expect(s[63][1]).toBeLessThanOrEqual(1000 + 90_000_000);
    for (let i = 1; i < 64; i++) expect(s[i][0] - s[i - 1][0]).toBe(Math.floor(90_000_000 / 64));
    expect(sampleRanges([0, 10_000_000], 16 << 20)).toEqual(splitRange([0, 10_000_000], 64));
    expect(sampleRanges([5, 1005], 16 << 20)).toEqual([[5, 1005]]);
  });
});
