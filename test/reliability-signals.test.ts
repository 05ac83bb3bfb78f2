/**
 * Signals and callbacks do not lose work (docs/reliability.md): SIGTERM saves like SIGINT, a
 * second signal exits at once, cancel stops inside a long step, a throwing onProgress still
 * leaves a checkpoint, and temp files of a killed write are cleaned by the next write.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Corpus } from '../lib/corpus';
import { saveModel } from '../lib/io/model-file';
import { train } from '../lib/train';
import { loadCheckpoint } from '../lib/train/checkpoint';
import { randomModel, repoRoot, tempDir } from './helpers';

const bin = path.join(repoRoot, 'bin', 'bi-embed.js');

function corpusFile(dir: string, n: number): string {
  const f = path.join(dir, 'corpus.txt');
  const words = ['the ', 'cat ', '<b>', 'sat ', 'on ', 'a ', 'mat\n'];
  let s = '';
  for (let i = 0; s.length < n; i++) s += words[(i * 7 + (i >> 3)) % words.length];
  fs.writeFileSync(f, s.slice(0, n));
  return f;
}

/**
 * Starts `bi-embed train` with a checkpoint every step, sends `signals` once the first checkpoint
 * exists (training runs and the handlers are installed, however slow the machine), and returns how
 * it ended.
 */
async function trainAndSignal(dir: string, signals: NodeJS.Signals[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  const out = path.join(dir, 'm.safetensors');
  const child = spawn(process.execPath, [bin, 'train', '--corpus', corpusFile(dir, 100_000), '--hidden', '16', '--batch', '4',
    '--seconds', '60', '--checkpoint-every', '1', '--out', out, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const ckpt = path.join(dir, 'm.ckpt.safetensors');
  for (let i = 0; i < 600 && !fs.existsSync(ckpt); i++) await new Promise((r) => setTimeout(r, 50));
  for (const s of signals) child.kill(s);
  return new Promise((r) => child.on('exit', (code, signal) => r({ code, signal, stderr })));
}

describe('signals', () => {
  test('SIGTERM saves a resumable checkpoint and the model, like SIGINT (exit 143)', async () => {
    const dir = tempDir();
    const r = await trainAndSignal(dir, ['SIGTERM']);
    expect({ code: r.code, signal: r.signal }).toEqual({ code: 143, signal: null });
    expect(r.stderr).toContain('cancelled');
    expect(loadCheckpoint(path.join(dir, 'm.ckpt.safetensors')).info.step).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(dir, 'm.safetensors'))).toBe(true);
  });

  test('a second signal exits at once with its own status', async () => {
    const r = await trainAndSignal(tempDir(), ['SIGINT', 'SIGTERM']);
    // Two signals sent back to back may be handled in either order (different threads can take
    // them): whichever comes second exits at once, with its own status.
    const second = /(SIGINT|SIGTERM) again: exiting now/.exec(r.stderr)?.[1];
    expect(second).toBeDefined();
    expect({ code: r.code, signal: r.signal }).toEqual({ code: second === 'SIGTERM' ? 143 : 130, signal: null });
  });
});

describe('cancel inside a step', () => {
  test('a long step (H 1024, batch 256, window 100) is dropped on abort: the checkpoint holds step 0', async () => {
    const dir = tempDir();
    const corpus = Corpus.fromBytes(Buffer.from(fs.readFileSync(corpusFile(dir, 200_000))));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const out = path.join(dir, 'big.safetensors');
    await expect(train({ corpus, hidden: 1024, batch: 256, window: 100, steps: 1, out }, { signal: ac.signal }))
      .rejects.toMatchObject({ code: 'E_ABORTED' });
    expect(loadCheckpoint(path.join(dir, 'big.ckpt.safetensors')).info.step).toBe(0);
  });
});

describe('a throwing onProgress', () => {
  test('train: rejects with the callback\'s error after saving the checkpoint and model', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'p.safetensors');
    const boom = new Error('boom');
    const corpus = Corpus.fromBytes(Buffer.from(fs.readFileSync(corpusFile(dir, 20_000))));
    await expect(train({ corpus, hidden: 8, batch: 2, window: 10, steps: 50, out }, { onProgress: () => { throw boom; } })).rejects.toBe(boom);
    const ck = loadCheckpoint(path.join(dir, 'p.ckpt.safetensors'));
    expect(ck.info.step).toBeGreaterThan(0);
    expect(fs.existsSync(out)).toBe(true);
    // …and the run resumes from it to the same end.
    const resumed = await train({ corpus, hidden: 8, batch: 2, window: 10, steps: 50, out, resume: true });
    expect(resumed.steps).toBe(50);
  });
});

describe('atomic writes', () => {
  test('temp files of a killed writer are removed by the next write to the same path; live writers\' are kept', () => {
    const dir = tempDir();
    const target = path.join(dir, 'm.safetensors');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const stale = path.join(dir, `.m.safetensors.${dead}.0123456789ab.tmp`);
    const live = path.join(dir, `.m.safetensors.${process.ppid}.0123456789ab.tmp`);
    const other = path.join(dir, `.other.safetensors.${dead}.0123456789ab.tmp`);
    for (const f of [stale, live, other]) fs.writeFileSync(f, 'partial');
    saveModel(randomModel(4, 1), target);
    expect(fs.readdirSync(dir).sort()).toEqual([path.basename(other), path.basename(live), 'm.safetensors'].sort());
  });
});
