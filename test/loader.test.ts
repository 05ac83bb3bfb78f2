/**
 * The loader's explanations (lib/loader.ts): a missing prebuild, a damaged or foreign .node
 * file, and a forced ISA the CPU lacks each give a coded error that says what was looked for
 * and what to do, never a stack trace or a crash.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { addonTarget, binaryKind, loadAddon } from '../lib/loader';
import { repoRoot, tempDir } from './helpers';

const t = addonTarget();
const here = `${t.platform}-${t.arch}`;
const elsewhere = t.platform === 'linux' ? `win32-${t.arch}` : `linux-${t.arch}`;

/** A package folder with the given files (path → contents) under it. */
function pkg(files: Record<string, string | Buffer>): string {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'bi-embed' }));
  for (const [f, body] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), body);
  }
  return dir;
}

function loadError(dir: string): { code?: string; message: string } {
  try {
    loadAddon(dir);
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error(`loadAddon(${dir}) did not fail`);
}

const cli = (env: Record<string, string>) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'bi-embed.js'), 'info'], { encoding: 'utf8', env: { ...process.env, ...env } });

describe('addon loader', () => {
  it('a missing prebuild names the target, the prebuilds there are, the local build and the fix', () => {
    const dir = pkg({ [`prebuilds/${elsewhere}/bi-embed.glibc.node`]: 'x' });
    const e = loadError(dir);
    expect(e.code).toBe('E_ADDON_LOAD');
    expect(e.message).toContain('no prebuild fits');
    expect(e.message).toContain(`looked for: ${here}, libc ${t.libc}`);
    expect(e.message).toContain(`Node-API 8 (Node ${process.versions.node} offers ${process.versions.napi})`);
    expect(e.message).toContain(`: ${elsewhere}/bi-embed.glibc.node`);
    expect(e.message).toContain('local build: none');
    expect(e.message).toContain('--build-from-source');
  });

  it('a damaged .node file is named with the loader error and the likely cause', () => {
    const file = `prebuilds/${here}/bi-embed.${t.libc}.node`;
    const dir = pkg({ [file]: Buffer.from('not a shared library') });
    const e = loadError(dir);
    expect(e.code).toBe('E_ADDON_LOAD');
    expect(e.message).toContain('a binary was found but does not load');
    expect(e.message).toContain(`file: ${path.join(dir, file)}`);
    expect(e.message).toMatch(/\n {2}error: .+/);
    expect(e.message).toContain('not a native library (damaged or truncated)');
  });

  it('a binary for another architecture is recognised from its header', () => {
    // A minimal ELF64 header for the other arch: enough for the loader to refuse it and for
    // binaryKind to read e_machine.
    const other = t.arch === 'arm64' ? 62 : 183;
    const elf = Buffer.alloc(64);
    elf.writeUInt32BE(0x7f454c46, 0);
    elf.writeUInt8(2, 4);
    elf.writeUInt8(1, 5);
    elf.writeUInt16LE(3, 16);
    elf.writeUInt16LE(other, 18);
    const dir = pkg({ [`prebuilds/${here}/bi-embed.${t.libc}.node`]: elf });
    expect(binaryKind(path.join(dir, `prebuilds/${here}/bi-embed.${t.libc}.node`))).toEqual({ format: 'ELF', arch: other === 62 ? 'x64' : 'arm64' });
    const e = loadError(dir);
    expect(e.code).toBe('E_ADDON_LOAD');
    if (t.platform === 'linux') expect(e.message).toContain(`this system needs ${t.arch} (ELF)`);
  });

  it('the CLI prints the explanation, not a stack, when no binary fits (PREBUILDS_ONLY, empty folder)', () => {
    const empty = pkg({});
    const r = cli({ PREBUILDS_ONLY: '1', BI_EMBED_PREBUILD: empty });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('E_ADDON_LOAD');
    expect(r.stderr).toContain(`searched BI_EMBED_PREBUILD=${empty}`);
    expect(r.stderr).toContain('(ignored: PREBUILDS_ONLY is set)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a forced ISA the CPU lacks is refused at load with the ISAs it has', () => {
    const ok = cli({});
    expect(ok.status).toBe(0);
    const missing = t.arch === 'arm64' ? 'avx2' : 'neon';
    const r = cli({ BI_FORCE_ISA: missing });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`E_ISA_UNAVAILABLE: BI_FORCE_ISA=${missing}: this CPU/build cannot run ${missing}`);
    expect(r.stderr).toMatch(/this CPU and binary run: [a-z0-9, ]*scalar/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
