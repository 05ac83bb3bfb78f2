/**
 * Every file in examples/ runs against the packed package, as a user meets it: `npm pack`, an
 * offline `npm install` of the tarball in an empty folder, the examples type-checked against the
 * shipped .d.ts and run with node. Tiny settings keep it fast.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { corpusPath, repoRoot, studyPath, tempDir } from './helpers';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('examples/ against the packed package', () => {
  const dir = tempDir();
  let packageDir = '';

  beforeAll(() => {
    const tarball = sh(npm, ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], repoRoot).trim().split('\n').pop()!;
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'examples', version: '1.0.0', private: true }));
    const install = (mode: string): number | null => spawnSync(npm,
      ['install', mode, '--ignore-scripts', '--no-audit', '--no-fund', '--no-save', path.join(dir, tarball)],
      { cwd: dir, encoding: 'utf8' }).status;
    // Offline from npm's cache (filled by `npm ci`); the registry only for what the cache lacks.
    if (install('--offline') !== 0) expect(install('--prefer-offline')).toBe(0);
    packageDir = path.join(dir, 'node_modules', 'bi-embed');
    // Scripts were skipped: the addon this checkout built stands in for the install-time build.
    fs.mkdirSync(path.join(packageDir, 'build', 'Release'), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, 'build', 'Release', 'bi_embed.node'), path.join(packageDir, 'build', 'Release', 'bi_embed.node'));
    fs.cpSync(path.join(repoRoot, 'examples'), path.join(dir, 'examples'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'commonjs', strict: true, esModuleInterop: true, outDir: 'out', rootDir: 'examples',
        types: ['node'], typeRoots: [path.join(repoRoot, 'node_modules', '@types')],
      },
      include: ['examples/*.ts'],
    }));
    sh(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], dir);
    fs.writeFileSync(path.join(dir, 'corpus.txt'), fs.readFileSync(corpusPath('tinyshakespeare.txt')).subarray(0, 200_000));
  }, 180_000);

  it('ships what the package promises: docs, LICENSE, CHANGELOG, types, no source maps into unshipped files', () => {
    for (const f of ['LICENSE', 'CHANGELOG.md', 'README.md', 'docs/definitions.md', 'docs/formats.md', 'dist/index.d.ts', 'bin/bi-embed.js']) {
      expect(fs.existsSync(path.join(packageDir, f))).toBe(true);
    }
    for (const map of fs.readdirSync(path.join(packageDir, 'dist')).filter((f) => f.endsWith('.map'))) {
      const m = JSON.parse(fs.readFileSync(path.join(packageDir, 'dist', map), 'utf8'));
      const shipped = (m.sources as string[]).every((s) => fs.existsSync(path.resolve(packageDir, 'dist', s)));
      expect(shipped || (m.sourcesContent?.length ?? 0) === m.sources.length).toBe(true);
    }
    expect(fs.readFileSync(path.join(packageDir, 'dist', 'index.d.ts'), 'utf8')).not.toMatch(/SPEC §/);
  });

  it('every example has a run below', () => {
    expect(fs.readdirSync(path.join(repoRoot, 'examples')).filter((f) => f.endsWith('.ts')).sort())
      .toEqual(['pytorch-export-import.ts', 'train-eval-read.ts']);
  });

  const run = (file: string, args: string[]) => spawnSync(process.execPath, [path.join(dir, 'out', file), ...args],
    { cwd: dir, encoding: 'utf8' });

  it('train-eval-read: train → eval → sample → ψ → skip-grams', () => {
    const r = run('train-eval-read.js', [path.join(dir, 'corpus.txt'), '2']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/test bpc \d\.\d{3} \(order-0 entropy of the same bytes \d\.\d{3}\)/);
    expect(r.stdout).toMatch(/factor map: mean best-pair R² 0\.\d{3}/);
    expect(r.stdout).toMatch(/skip-gram \[1,2,3\]: held-out bpc \d\.\d{3}/);
  }, 120_000);

  it('pytorch-export-import: the round trip keeps the bpc', () => {
    const r = run('pytorch-export-import.js', [studyPath('sat_model.bin'), studyPath('enwik_1024.txt')]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/bpc before 0\.0792\d\d, after the round trip 0\.0792\d\d/);
  }, 60_000);
});
