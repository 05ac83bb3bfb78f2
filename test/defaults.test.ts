/**
 * One set of defaults for the CLI and the API (lib/defaults.ts): the CLI's option defaults are the
 * API's values, threads default to the machine's cores, and the mode is decided by the input —
 * study only for the study's own text.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import * as api from '../lib';
import { buildProgram } from '../lib/cli/main';
import { DEFAULT_TRAIN_THREADS, defaultMode, defaultThreads, isStudyText } from '../lib/defaults';
import { corpusPath, randomModel, repoRoot, studyPath, tempDir } from './helpers';

function optionsOf(program: Command): Array<[string, Option]> {
  return program.commands.flatMap((c) => (c.options as Option[]).map((o): [string, Option] => [c.name(), o]));
}

describe('one set of defaults', () => {
  const options = optionsOf(buildProgram());
  const shakespeare = api.Corpus.fromBytes(fs.readFileSync(corpusPath('tinyshakespeare.txt')).subarray(0, 30_000));
  const study = api.Corpus.open(studyPath('enwik_1024.txt'));

  it('every CLI default is the API default', () => {
    const expected: Record<string, unknown> = {
      threads: String(defaultThreads()), 'test-fraction': String(api.DEFAULT_TEST_FRACTION), seed: String(api.DEFAULT_SAMPLE_SEED),
      temperature: String(api.DEFAULT_TEMPERATURE),
    };
    let checked = 0;
    for (const [cmd, o] of options) {
      const name = o.long!.slice(2);
      if (name in expected) {
        // Training keeps 1 thread by default (lib/defaults.ts DEFAULT_TRAIN_THREADS), in the API too.
        const own: Record<string, number> = { train: DEFAULT_TRAIN_THREADS };
        const want = name === 'threads' && cmd in own ? String(own[cmd]) : expected[name];
        expect([cmd, name, o.defaultValue]).toEqual([cmd, name, want]);
        checked++;
      }
      // --mode has no fixed default: the input decides (and the CLI prints which).
      if (name === 'mode') expect([cmd, o.defaultValue]).toEqual([cmd, undefined]);
    }
    expect(checked).toBeGreaterThanOrEqual(10);
    expect(options.filter(([, o]) => o.long === '--threads').map(([c]) => c).sort()).toEqual(['attribute', 'boolean', 'construct', 'errors', 'eval', 'read', 'skipgram', 'study', 'train']);
    expect(options.filter(([, o]) => o.long === '--mode').map(([c]) => c).sort()).toEqual(['attribute', 'boolean', 'construct', 'errors', 'read', 'skipgram', 'study', 'train']);
  });

  it('study mode only for the study text', () => {
    expect(isStudyText(study)).toBe(true);
    expect(defaultMode(study)).toBe('study');
    expect(defaultMode(shakespeare)).toBe('scale');
    // The same 1024 bytes with one changed are not the study text.
    const copy = Buffer.from(study.bytes);
    copy[0] ^= 1;
    expect(defaultMode(api.Corpus.fromBytes(copy))).toBe('scale');
  });

  it('the API applies them: threads = cores, mode by the corpus', async () => {
    const m = randomModel(8, 2);
    expect((await api.evaluate(m, shakespeare)).threads).toBe(defaultThreads());
    expect((await api.runSkipgram(shakespeare, { offsets: [1] })).mode).toBe('scale');
    expect((await api.runSkipgram(study, { offsets: [1] })).mode).toBe('study');
    expect((await api.readModel(m, study, { stateFeatures: false })).mode).toBe('study');
  });

  it('the CLI applies them and says which mode it chose', () => {
    const dir = tempDir();
    const file = path.join(dir, 'c.txt');
    fs.writeFileSync(file, shakespeare.bytes);
    const bin = path.join(repoRoot, 'bin', 'bi-embed.js');
    const r = spawnSync(process.execPath, [bin, 'skipgram', '--corpus', file, '--offsets', '1', '--progress', 'none'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/mode scale \(default for any corpus but the study's/);
    expect(r.stdout).toMatch(/order-0 entropy of the same bytes: \d\.\d{4} \(in-sample\), \d\.\d{4} \(test split\)/);
    const j = spawnSync(process.execPath, [bin, 'skipgram', '--corpus', file, '--offsets', '1', '--json'], { encoding: 'utf8' });
    expect(JSON.parse(j.stdout).mode).toBe('scale');
  });

  it('a bpc that does not beat the order-0 entropy is printed beside it with a warning', () => {
    const dir = tempDir();
    const model = path.join(dir, 'm.safetensors');
    api.saveModel(randomModel(8, 5, 2), model);
    const bin = path.join(repoRoot, 'bin', 'bi-embed.js');
    const r = spawnSync(process.execPath, [bin, 'eval', '--model', model, '--corpus', studyPath('enwik_1024.txt'), '--progress', 'none'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^bpc \d+\.\d{4} \(order-0 entropy of the same bytes 4\.73\d\d\)/);
    expect(r.stderr).toContain('warning: the model does not beat the order-0 entropy');
    const good = spawnSync(process.execPath, [bin, 'eval', '--study', '--json'], { encoding: 'utf8', env: { ...process.env, BI_EMBED_STUDY_DIR: path.dirname(studyPath('sat_model.bin')) } });
    const out = JSON.parse(good.stdout);
    expect(out.beatsOrder0).toBe(true);
    expect(out.order0).toBeCloseTo(4.7388, 4);  // bytes x_1 … x_1023 (the whole text: 4.7346)
  });
});
