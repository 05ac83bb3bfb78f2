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
import { DEFAULT_FIT_POSITIONS, DEFAULT_GRID_POSITIONS, DEFAULT_PHI_EPOCHS } from '../lib/phi';
import { DEFAULT_MAX_BYTES } from '../lib/skipgram/options';
import { corpusPath, randomModel, repoRoot, studyPath, tempDir } from './helpers';

function optionsOf(program: Command): Array<[string, Option]> {
  return program.commands.flatMap((c) => (c.options as Option[]).map((o): [string, Option] => [c.name(), o]));
}

describe('one set of defaults', () => {
  const options = optionsOf(buildProgram());
  const shakespeare = api.Corpus.fromBytes(fs.readFileSync(corpusPath('tinyshakespeare.txt')).subarray(0, 30_000));
  const study = api.Corpus.open(studyPath('enwik_1024.txt'));

  // Every default of every command, each the library's own value (the constant the API falls back to).
  // A defaulted flag missing here fails the test, so a new one cannot drift from the API unnoticed.
  const cores = String(defaultThreads());
  const s = (v: unknown): string => String(v);
  const apiDefaults: Record<string, Record<string, string>> = {
    eval: { threads: cores },
    train: { hidden: s(api.DEFAULT_HIDDEN), threads: s(DEFAULT_TRAIN_THREADS), window: s(api.RECIPE_DEFAULTS.scale.window), seed: '1', 'test-fraction': s(api.DEFAULT_TEST_FRACTION) },
    construct: {
      'test-fraction': s(api.DEFAULT_TEST_FRACTION), 'grid-positions': s(DEFAULT_GRID_POSITIONS), 'fit-positions': s(DEFAULT_FIT_POSITIONS),
      epochs: s(DEFAULT_PHI_EPOCHS), threads: cores, seed: '1',
    },
    read: { positions: s(api.DEFAULT_SCALE_POSITIONS), 'test-fraction': s(api.DEFAULT_TEST_FRACTION), threads: cores },
    skipgram: {
      'max-offset': s(api.DEFAULT_MAX_OFFSET), smoothing: api.DEFAULT_SMOOTHING, 'test-fraction': s(api.DEFAULT_TEST_FRACTION),
      'valid-fraction': s(api.DEFAULT_VALID_FRACTION), 'max-mb': s(DEFAULT_MAX_BYTES / 2 ** 20), threads: cores,
    },
    boolean: {
      'test-fraction': s(api.DEFAULT_TEST_FRACTION), threads: cores, 'max-memory': s(api.DEFAULT_SIGN_MAX_MEMORY),
      streams: s(api.DEFAULT_SCALE_STREAMS), 'ablation-positions': s(api.DEFAULT_ABLATION_POSITIONS),
    },
    attribute: {
      'test-fraction': s(api.DEFAULT_TEST_FRACTION), threads: cores, 'max-offset': '32', positions: s(api.DEFAULT_ATTRIBUTION_POSITIONS),
      samples: s(api.DEFAULT_COUNTERFACTUAL_SAMPLES), seed: '1',
    },
    errors: { 'test-fraction': s(api.DEFAULT_TEST_FRACTION), threads: cores, positions: s(api.DEFAULT_HEBBIAN_POSITIONS), 'synergy-bytes': s(api.DEFAULT_SYNERGY_BYTES) },
    sample: { temperature: s(api.DEFAULT_TEMPERATURE), seed: s(api.DEFAULT_SAMPLE_SEED) },
    study: { threads: cores },
  };
  // Defaults only the command line has: no API option takes them (or the API requires the value).
  const cliOnly: Record<string, string[]> = {
    eval: ['streams'], convert: ['from'], train: ['out'], sample: ['bytes'], study: ['out'],
  };

  it('every CLI default is the API default, for every command', () => {
    for (const cmd of buildProgram().commands) {
      const given = Object.fromEntries((cmd.options as Option[])
        .filter((o) => o.defaultValue !== undefined && o.long !== '--progress' && !(cliOnly[cmd.name()] ?? []).includes(o.long!.slice(2)))
        .map((o) => [o.long!.slice(2), o.defaultValue]));
      expect([cmd.name(), given]).toEqual([cmd.name(), apiDefaults[cmd.name()] ?? {}]);
      // --mode has no fixed default: the input decides (and the CLI prints which).
      for (const o of cmd.options as Option[]) if (o.long === '--mode') expect([cmd.name(), o.defaultValue]).toEqual([cmd.name(), undefined]);
    }
    expect(options.filter(([, o]) => o.long === '--threads').map(([c]) => c).sort()).toEqual(['attribute', 'boolean', 'construct', 'errors', 'eval', 'read', 'skipgram', 'study', 'train']);
    expect(options.filter(([, o]) => o.long === '--mode').map(([c]) => c).sort()).toEqual(['attribute', 'boolean', 'construct', 'errors', 'read', 'skipgram', 'study', 'train']);
  });

  it('the API falls back to the same values where no constant names them', async () => {
    expect((await api.attribute(randomModel(8, 3), study)).jacobian.maxOffset).toBe(32);
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
    expect((await api.booleanStructure(m, study)).mode).toBe('study');
    expect((await api.errorSources(m, api.Corpus.fromBytes(shakespeare.bytes.subarray(0, 4000)))).mode).toBe('scale');
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
