/** The bi-embed command line, run as a user runs it (the compiled dist/, built by pretest). */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildProgram } from '../lib/cli/main';
import { missingIsa, repoRoot, studyPath, tempDir } from './helpers';

const bin = path.join(repoRoot, 'bin', 'bi-embed.js');

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('bi-embed CLI', () => {
  it('no help text cites SPEC (it is not shipped: definitions are in docs/definitions.md)', () => {
    const program = buildProgram();
    const texts = [program.helpInformation(), ...program.commands.map((c) => c.helpInformation())];
    expect(texts.length).toBeGreaterThan(10);
    expect(texts.filter((t) => /SPEC/.test(t))).toEqual([]);
  });

  it('eval --json prints bpc 0.0792 on the study files', () => {
    const r = run(['eval', '--model', studyPath('sat_model.bin'), '--corpus', studyPath('enwik_1024.txt'), '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(Math.abs(out.bpc - 0.0792)).toBeLessThan(1e-4);
    expect(out.positions).toBe(1023);
    expect(out.bytesPerSecond).toBeGreaterThan(0);
  });

  it('eval --study uses BI_EMBED_STUDY_DIR, and a missing folder is a clear error', () => {
    const ok = run(['eval', '--study', '--json', '--range', '0:512'], { BI_EMBED_STUDY_DIR: path.dirname(studyPath('sat_model.bin')) });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).positions).toBe(511);
    const bad = run(['eval', '--study'], { BI_EMBED_STUDY_DIR: '/nonexistent/study' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('E_STUDY_DIR');
    expect(bad.stderr).toContain('BI_EMBED_STUDY_DIR');
  });

  it('info reports version, ISA and threads; BI_FORCE_ISA is honoured or refused', () => {
    const r = run(['info', '--json']);
    expect(r.status).toBe(0);
    const i = JSON.parse(r.stdout);
    expect(i.isas).toContain('scalar');
    expect(i.hardwareThreads).toBeGreaterThan(0);
    expect(JSON.parse(run(['info', '--json'], { BI_FORCE_ISA: 'scalar' }).stdout).isa).toBe('scalar');
    const refused = run(['info'], { BI_FORCE_ISA: missingIsa() });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('E_ISA_UNAVAILABLE');
    expect(run(['info'], { BI_FORCE_ISA: 'mmx' }).stderr).toContain('E_ISA_UNAVAILABLE');
  });

  it('convert goes raw → safetensors → raw byte-identically', () => {
    const dir = tempDir();
    const st = path.join(dir, 'm.safetensors');
    const back = path.join(dir, 'm.bin');
    expect(run(['convert', studyPath('sat_model.bin'), st]).status).toBe(0);
    expect(run(['convert', st, back]).status).toBe(0);
    expect(Buffer.compare(fs.readFileSync(back), fs.readFileSync(studyPath('sat_model.bin')))).toBe(0);
    const e = run(['eval', '--model', st, '--corpus', studyPath('enwik_1024.txt'), '--json']);
    expect(Math.abs(JSON.parse(e.stdout).bpc - 0.0792)).toBeLessThan(1e-4);
  });

  it('--help works everywhere and bad input exits 2 with a code', () => {
    for (const args of [['--help'], ['eval', '--help'], ['info', '--help'], ['convert', '--help']]) {
      const r = run(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('Usage:');
    }
    const missing = run(['eval', '--model', '/nope.bin', '--corpus', studyPath('enwik_1024.txt')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('E_FILE_NOT_FOUND');
    expect(run(['eval', '--model', studyPath('sat_model.bin'), '--corpus', studyPath('enwik_1024.txt'), '--threads', '0']).stderr).toContain('E_OPTION');
    expect(run(['eval', '--model', studyPath('enwik_1024.txt'), '--corpus', studyPath('enwik_1024.txt')]).stderr).toContain('E_MODEL_FORMAT');
    expect(run(['bogus']).status).toBe(2);
  });
});
