/** `bi-embed train` as a user runs it (the compiled dist/, built by pretest): JSON output, Ctrl-C. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCheckpoint } from '../lib/train/checkpoint';
import { interruptCli, mulberry32, repoRoot, tempDir } from './helpers';

const bin = path.join(repoRoot, 'bin', 'bi-embed.js');

function corpusFile(dir: string, n: number): string {
  const rnd = mulberry32(7);
  const words = ['the ', 'cat ', '<b>', 'sat ', 'on ', 'a ', 'mat\n'];
  let s = '';
  while (s.length < n) s += words[Math.floor(rnd() * words.length)];
  const f = path.join(dir, 'corpus.txt');
  fs.writeFileSync(f, s.slice(0, n));
  return f;
}

describe('bi-embed train CLI', () => {
  it('--json prints one object with trainBpc, testBpc, bytesPerSecond and steps', () => {
    const dir = tempDir();
    const corpus = corpusFile(dir, 20000);
    const out = path.join(dir, 'm.safetensors');
    const r = spawnSync(process.execPath, [bin, 'train', '--corpus', corpus, '--hidden', '16', '--batch', '4', '--steps', '30',
      '--eval-every', '10', '--out', out, '--json'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const o = JSON.parse(r.stdout);
    expect(o.steps).toBe(30);
    expect(o.trainBpc).toBeGreaterThan(0);
    expect(o.testBpc).toBeGreaterThan(0);
    expect(o.bytesPerSecond).toBeGreaterThan(0);
    expect(o.testCurve.map((x: number[]) => x[0])).toEqual([10, 20, 30]);
    expect(fs.existsSync(out)).toBe(true);
    expect(loadCheckpoint(path.join(dir, 'm.ckpt.safetensors')).info.step).toBe(30);
  });

  it('bad options exit 2 with a code', () => {
    const r = spawnSync(process.execPath, [bin, 'train', '--corpus', '/nonexistent/file', '--json'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('E_FILE_NOT_FOUND');
  });

  it('Ctrl-C (SIGINT) saves a resumable checkpoint and exits 130', async () => {
    const dir = tempDir();
    const corpus = corpusFile(dir, 200000);
    const out = path.join(dir, 'c.safetensors');
    // Wait until training runs (the first periodic files would take 60 s; poll the process instead).
    const { code, stderr } = await interruptCli(['train', '--corpus', corpus, '--hidden', '32', '--batch', '8', '--seconds', '60',
      '--out', out, '--json'], 1500);
    expect(code).toBe(130);
    expect(stderr).toContain('cancelled');
    const ck = loadCheckpoint(path.join(dir, 'c.ckpt.safetensors'));
    expect(ck.info.step).toBeGreaterThan(0);
    expect(fs.existsSync(out)).toBe(true);
  });
});
