/** `bi-embed boolean | attribute | errors` as a user runs them (the compiled dist/). */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot, studyPath } from './helpers';

const bin = path.join(repoRoot, 'bin', 'bi-embed.js');
const run = (args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
const study = ['--model', studyPath('sat_model.bin'), '--corpus', studyPath('enwik_1024.txt')];

describe('analysis commands', () => {
  it('boolean --json: both dynamics, margins and 128 ablated neurons; text names the study figures it cannot give', () => {
    const r = run(['boolean', ...study, '--json']);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.mode).toBe('study');
    expect(out.trueDynamics.bpc.toFixed(3)).toBe('0.079');
    expect(out.signOnly.dynamics).toBe('sign-only');
    expect(out.ablation.knockout).toHaveLength(128);
    const text = run(['boolean', ...study]).stdout;
    expect(text).toContain('study: 1023 unique sign vectors');
    expect(text).toContain('not given by its public model');
    expect(text).toContain('mean 60.5');
  });

  it('attribute --json: Jacobian curve, counterfactual at the study positions, correlation', () => {
    const out = JSON.parse(run(['attribute', ...study, '--json']).stdout);
    expect(out.jacobian.curve).toHaveLength(32);
    expect(out.counterfactual.positions).toEqual([42, 80, 100, 150, 200, 300, 400, 500]);
    expect(out.correlation.pairs).toBe(160);
  });

  it('errors prints the three sources beside the study', () => {
    const r = run(['errors', ...study]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 − r²');
    expect(r.stdout).toContain('empty set');
    expect(r.stdout).toContain('99.7%');
  });

  it('bad input exits 2 with its code', () => {
    const r = run(['boolean', ...study, '--mode', 'fast']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('E_OPTION');
    const m = run(['attribute', '--corpus', studyPath('enwik_1024.txt')]);
    expect(m.status).toBe(2);
    expect(m.stderr).toContain('E_OPTION');
  });
});
