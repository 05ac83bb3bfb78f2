/**
 * Finds and loads the native addon, and when that fails says why (as sharp's loader does):
 * the platform, arch, libc and Node-API version looked for, the prebuilds the package holds,
 * whether a local build exists, the underlying error of a binary that exists but does not
 * load, and how to build from source. node-gyp-build does the finding, so the rules are the
 * ones prebuildify names files by (prebuilds/<platform>-<arch>/bi-embed.<libc>.node).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BiEmbedError, ErrorCodes } from './errors';

/** The Node-API version the addon is built against (NAPI_VERSION in binding.gyp). */
export const ADDON_NAPI_VERSION = 8;

export interface AddonTarget {
  platform: string;
  arch: string;
  /** What node-gyp-build matches prebuilds by: LIBC, else musl on Alpine, else glibc. */
  libc: string;
  /** The running glibc, where there is one. */
  glibcVersion?: string;
  napi: number;
  node: string;
}

/**
 * The running glibc's version, from getconf. Not from process.report.getReport(): generating a
 * report after jobs have pinned and transferred buffers has crashed Node 20 (seen in jest).
 */
function glibcVersion(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const getconf of ['/usr/bin/getconf', 'getconf']) {
    try {
      const out = execFileSync(getconf, ['GNU_LIBC_VERSION'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 });
      return /^glibc (\S+)/.exec(out.trim())?.[1];
    } catch {
      // not glibc, or no getconf: say nothing
    }
  }
  return undefined;
}

export function addonTarget(): AddonTarget {
  const libc = process.env.LIBC || (process.platform === 'linux' && fs.existsSync('/etc/alpine-release') ? 'musl' : 'glibc');
  return {
    platform: process.env.npm_config_platform || process.platform,
    arch: process.env.npm_config_arch || process.arch,
    libc,
    glibcVersion: glibcVersion(),
    napi: Number(process.versions.napi ?? 0),
    node: process.versions.node,
  };
}

const listDir = (dir: string): string[] => {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
};

/** The .node files of <dir>/prebuilds, as "linux-x64/bi-embed.glibc.node". */
export function listPrebuilds(dir: string): string[] {
  const root = path.join(dir, 'prebuilds');
  return listDir(root).flatMap((t) => listDir(path.join(root, t)).filter((f) => f.endsWith('.node')).map((f) => `${t}/${f}`));
}

/** The local build node-gyp-build would take first (build/Release, then build/Debug). */
export function localBuild(dir: string): string | undefined {
  for (const config of ['Release', 'Debug']) {
    const f = listDir(path.join(dir, 'build', config)).find((n) => n.endsWith('.node'));
    if (f) return path.join(dir, 'build', config, f);
  }
  return undefined;
}

/** The format and arch of a binary, from its header (ELF, Mach-O or PE), if it is one. */
export function binaryKind(file: string): { format: 'ELF' | 'Mach-O' | 'PE'; arch: string } | undefined {
  let b: Buffer;
  try {
    b = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const name = (table: Record<number, string>, v: number): string => table[v] ?? `machine ${v}`;
  if (b.length >= 20 && b.readUInt32BE(0) === 0x7f454c46)
    return { format: 'ELF', arch: name({ 3: 'ia32', 40: 'arm', 62: 'x64', 183: 'arm64' }, b.readUInt16LE(18)) };
  if (b.length >= 8 && b.readUInt32LE(0) === 0xfeedfacf)
    return { format: 'Mach-O', arch: name({ 0x01000007: 'x64', 0x0100000c: 'arm64' }, b.readUInt32LE(4)) };
  if (b.length >= 0x40 && b.toString('latin1', 0, 2) === 'MZ') {
    const pe = b.readUInt32LE(0x3c);
    if (pe + 6 <= b.length) return { format: 'PE', arch: name({ 0x14c: 'ia32', 0x8664: 'x64', 0xaa64: 'arm64' }, b.readUInt16LE(pe + 4)) };
  }
  return undefined;
}

/** Why a binary that exists may not load, from its header and the loader's message. */
function hint(file: string, message: string, t: AddonTarget): string | undefined {
  const kind = binaryKind(file);
  if (!kind) return 'the file is not a native library (damaged or truncated); reinstall the package';
  const format = t.platform === 'darwin' ? 'Mach-O' : t.platform === 'win32' ? 'PE' : 'ELF';
  if (kind.format !== format || kind.arch !== t.arch)
    return `the file is built for ${kind.arch} (${kind.format}); this system needs ${t.arch} (${format})`;
  if (/GLIBC_|GLIBCXX_|CXXABI_/.test(message))
    return `it needs a newer C/C++ runtime than this system's${t.glibcVersion ? ` (glibc ${t.glibcVersion})` : ''}`;
  if (/ld-musl|libc\.musl|__[a-z_]+_chk/.test(message)) return 'it was built for another libc (glibc vs musl)';
  if (/napi_/.test(message)) return `this Node lacks a Node-API function it uses (needs Node-API ${ADDON_NAPI_VERSION})`;
  return undefined;
}

function explain(packageDir: string, what: string, cause?: string, file?: string): BiEmbedError {
  const t = addonTarget();
  // node-gyp-build searches <NAME>_PREBUILD instead of the package folder when it is set.
  const override = process.env.BI_EMBED_PREBUILD;
  const dir = override ? path.resolve(override) : packageDir;
  const prebuilds = listPrebuilds(dir);
  const local = localBuild(dir);
  const lines = [
    `cannot load the bi-embed native addon: ${what}`,
    ...(file ? [`  file: ${file}`] : []),
    ...(cause ? [`  error: ${cause.trim().split('\n')[0]}`] : []),
    ...(cause && file && hint(file, cause, t) ? [`  likely cause: ${hint(file, cause, t)}`] : []),
    `  looked for: ${t.platform}-${t.arch}, libc ${t.libc}${t.glibcVersion ? ` (running glibc ${t.glibcVersion})` : ''}, ` +
      `Node-API ${ADDON_NAPI_VERSION} (Node ${t.node} offers ${t.napi})`,
    ...(override ? [`  searched BI_EMBED_PREBUILD=${override} instead of ${packageDir}`] : []),
    `  prebuilds in ${path.join(dir, 'prebuilds')}: ${prebuilds.length ? prebuilds.join(', ') : 'none'}`,
    `  local build: ${local ?? 'none'}${process.env.PREBUILDS_ONLY ? ' (ignored: PREBUILDS_ONLY is set)' : ''}`,
    '  to build from source: `npm rebuild bi-embed --build-from-source` (in a clone: `npm run build:addon`); ' +
      'needs Python 3, make and a C++17 compiler (g++ >= 9, clang >= 10 or Visual Studio 2019)',
  ];
  if (t.napi < ADDON_NAPI_VERSION) lines.push(`  this Node is too old: use Node >= 18`);
  return new BiEmbedError(ErrorCodes.ADDON_LOAD, lines.join('\n'));
}

/** Loads the addon of the package in `dir` (a prebuild, or the local build), explaining any failure. */
export function loadAddon<T>(dir: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const gyp = require('node-gyp-build') as { path(dir: string): string };
  let file: string;
  try {
    file = gyp.path(dir);
  } catch {
    throw explain(dir, 'no prebuild fits this system and there is no local build');
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(file) as T;
  } catch (e) {
    throw explain(dir, 'a binary was found but does not load', (e as Error).message, file);
  }
}
