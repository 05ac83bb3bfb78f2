/** Progress: one event shape, smoothed ETAs, and every long command reporting in a pipe and as JSON. */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildProgram } from '../lib/cli/main';
import { ProgressTracker } from '../lib/progress';
import { corpusPath, interruptCli, repoRoot, studyPath, tempDir } from './helpers';

const bin = path.join(repoRoot, 'bin', 'bi-embed.js');
const KEYS = ['stage', 'done', 'total', 'unit', 'etaSeconds'];

describe('ProgressTracker', () => {
  it('counts a steady ETA down and moves it gradually when the rate changes', () => {
    let t = 0;
    const tr = new ProgressTracker('x', 'steps', () => t);
    const etas: number[] = [];
    for (let s = 1; s <= 10; s++) { t = s * 1000; etas.push(tr.event(s, 100).etaSeconds!); }
    // 1 step/s: the ETA is (100 − s) s from the first step on.
    etas.forEach((e, i) => expect(e).toBeCloseTo(100 - (i + 1), 6));
    // The rate jumps 10×: the raw ETA falls from 89 to ~8 at once; the reported one falls by at most 15% of the gap per update.
    t = 11_000;
    const e1 = tr.event(20, 100).etaSeconds!;
    const raw = (11 * 80) / 20;
    expect(e1).toBeGreaterThan(raw);
    expect(e1).toBeLessThan(89);
    expect(tr.event(100, 100)).toEqual({ stage: 'x', done: 100, total: 100, unit: 'steps', etaSeconds: 0 });
  });
});

describe('progress of the long commands', () => {
  const dir = tempDir();
  const corpus = path.join(dir, 'c.txt');
  fs.writeFileSync(corpus, fs.readFileSync(corpusPath('tinyshakespeare.txt')).subarray(0, 60_000));
  const model = studyPath('sat_model.bin');
  const text = studyPath('enwik_1024.txt');

  const jsonEvents = (stderr: string): Array<Record<string, unknown>> =>
    stderr.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

  // Every command with a long job, run to its end with --progress json. The list is checked
  // against the CLI's commands below, so a new long command cannot be left out.
  const studyEnv = { ...process.env, BI_EMBED_STUDY_DIR: path.dirname(model) };
  const longCommands: Record<string, string[]> = {
    train: ['train', '--corpus', corpus, '--hidden', '8', '--batch', '2', '--steps', '20', '--eval-every', '10', '--out', path.join(dir, 'm.safetensors')],
    eval: ['eval', '--model', model, '--corpus', text],
    read: ['read', '--model', model, '--corpus', text, '--no-state-features'],
    skipgram: ['skipgram', '--corpus', text, '--offsets', '1,8,20,3'],
    construct: ['construct', '--corpus', text, '--mode', 'study', '--epochs', '5', '--no-sign-bias'],
    sample: ['sample', '--model', model, '--prompt', '<page>', '--bytes', '100'],
    boolean: ['boolean', '--model', model, '--corpus', text],
    attribute: ['attribute', '--model', model, '--corpus', text],
    errors: ['errors', '--model', model, '--corpus', text],
    study: ['study', '--out', path.join(dir, 'study')],
  };
  // Commands without a long job; and fetch, a download, whose progress and Ctrl-C are tested against a local server (study-fetch.test.ts).
  const short = ['convert', 'info'];
  const downloads = ['fetch'];

  it('lists every command: the long ones have --progress', () => {
    const commands = buildProgram().commands;
    const withProgress = commands.filter((c) => c.options.some((o) => o.long === '--progress')).map((c) => c.name());
    expect(withProgress.sort()).toEqual([...Object.keys(longCommands), ...downloads].sort());
    expect(commands.map((c) => c.name()).filter((n) => !withProgress.includes(n)).sort()).toEqual(short);
  });

  it.each(Object.entries(longCommands))('%s --progress json emits parseable events of the one shape', (stage, args) => {
    const r = spawnSync(process.execPath, [bin, ...args, '--progress', 'json', '--json'], { encoding: 'utf8', env: studyEnv });
    expect(r.status).toBe(0);
    JSON.parse(r.stdout);
    const events = jsonEvents(r.stderr);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      for (const k of KEYS) expect(e).toHaveProperty(k);
      expect(String(e.stage).startsWith(stage)).toBe(true);
    }
    const last = events[events.length - 1];
    expect(last.final).toBe(true);
    expect(last.done).toBe(last.total);
  });

  it('train in a pipe prints timestamped progress lines while it runs', async () => {
    const child = spawn(process.execPath, [bin, 'train', '--corpus', corpus, '--hidden', '8', '--batch', '2', '--seconds', '3',
      '--out', path.join(dir, 'p.safetensors')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const progressLine = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ train +\d+% \d+s of 3s budget/m;
    let stderr = '';
    let firstLine = '';
    let seenBeforeExit = false;
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!firstLine) firstLine = progressLine.exec(stderr)?.[0] ?? '';
    });
    child.stdout!.resume();
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => { if (firstLine && child.exitCode === null) seenBeforeExit = true; }, 50);
      child.on('exit', () => { clearInterval(poll); resolve(); });
    });
    expect(seenBeforeExit).toBe(true);
    expect(firstLine).toMatch(progressLine);
    expect(stderr).toContain('bi-embed: mode scale');
  });

  it('--progress none is silent; a bad mode is E_OPTION', () => {
    const quiet = spawnSync(process.execPath, [bin, 'eval', '--model', model, '--corpus', text, '--progress', 'none'], { encoding: 'utf8' });
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe('');
    const bad = spawnSync(process.execPath, [bin, 'eval', '--model', model, '--corpus', text, '--progress', 'loud'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('E_OPTION');
  });

  it('Ctrl-C in a long command other than train stops it, says so and exits 130', async () => {
    const r = await interruptCli(['sample', '--model', model, '--prompt', 'a', '--bytes', '200000000', '--progress', 'none'], 1000);
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted');
  });

  it.each(['boolean', 'attribute', 'errors'])('Ctrl-C in %s: stopped, said, exit 130', async (cmd) => {
    const r = await interruptCli([cmd, '--model', model, '--corpus', corpusPath('tinyshakespeare.txt'), '--mode', 'scale', '--progress', 'lines', '--json'],
      new RegExp(`Z ${cmd} `));
    expect(r.code).toBe(130);
    expect(r.stderr).toContain(`interrupted: nothing written (${cmd} keeps no partial result)`);
    expect(r.stdout).toBe('');
  });

  it('Ctrl-C in study: the finished stages are kept and said, with how to resume; exit 130', async () => {
    const out = path.join(dir, 'study-int');
    const r = await interruptCli(['study', '--corpus', corpus, '--out', out, '--train-seconds', '2', '--threads', '1', '--progress', 'lines'],
      /study \[2\/8\]/);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted: finished stages saved in .*cache: model\b/);
    expect(r.stderr).toContain('Run the same command again to resume');
    expect(fs.existsSync(path.join(out, 'model.safetensors'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'results.json'))).toBe(false);
  });
});
