/** Shared test helpers: the study's files, random models, a float64 reference forward pass. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Model, VOCAB } from '../lib/model';
import { native } from '../lib/native';
import { mulberry32 } from '../lib/random';

export const repoRoot = path.join(__dirname, '..');

/** The study folder; a missing folder fails the test with a message, never skips it. */
export function studyPath(file: string): string {
  const dir = process.env.BI_EMBED_STUDY_DIR ?? path.join(repoRoot, '..', 'shared', 'study');
  const p = path.join(dir, file);
  if (!fs.existsSync(p)) throw new Error(`${p} missing: set BI_EMBED_STUDY_DIR to the study's folder (sat_model.bin, enwik_1024.txt)`);
  return p;
}

export function corpusPath(file: string): string {
  const dir = process.env.BI_EMBED_CORPORA_DIR ?? path.join(repoRoot, '..', 'shared', 'corpora');
  const p = path.join(dir, file);
  if (!fs.existsSync(p)) throw new Error(`${p} missing: set BI_EMBED_CORPORA_DIR to the shared corpora folder`);
  return p;
}

export function availableIsas(): string[] {
  return native().info().isas;
}

/**
 * The SIMD ISAs this CPU runs, read without the addon (the OS's CPU flags), so a test can
 * require the addon to have their kernels instead of passing with none to compare.
 */
export function cpuSimdIsas(): string[] {
  if (process.arch === 'arm64') return ['neon'];  // baseline on aarch64
  if (process.arch === 'x64' && fs.existsSync('/proc/cpuinfo')) {
    const flags = fs.readFileSync('/proc/cpuinfo', 'utf8');
    if (/\bavx2\b/.test(flags) && /\bfma\b/.test(flags)) return ['avx2'];
  }
  return [];
}

/** An ISA the addon knows but this CPU or build cannot run (every machine lacks one). */
export function missingIsa(): string {
  return native().isaNames.find((i) => !availableIsas().includes(i))!;
}

export { mulberry32 } from '../lib/random';

export function randomModel(hidden: number, seed: number, scale = 0.5): Model {
  const m = new Model(hidden);
  const rnd = mulberry32(seed);
  for (let i = 0; i < m.params.length; i++) m.params[i] = (rnd() * 2 - 1) * scale;
  return m;
}

// Every temporary folder a test file makes is removed when that file's tests end.
const tempDirs: string[] = [];
afterAll(() => {
  for (const d of tempDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A safetensors file from an arbitrary header (an object, or raw text kept as given) and data bytes. */
export function safetensorsFile(header: object | string, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const text = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

export function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'bi-embed-test-'));
  tempDirs.push(d);
  return d;
}

/** SPEC §0 in float64: Σ −log2 p(x_{t+1}) over t = begin … end−2 from h = 0. */
export function referenceBits(m: Model, bytes: Uint8Array, begin: number, end: number): number {
  const H = m.hidden;
  let h = new Float64Array(H);
  const next = new Float64Array(H);
  const logits = new Float64Array(VOCAB);
  let bits = 0;
  for (let t = begin; t < end - 1; t++) {
    for (let i = 0; i < H; i++) {
      let s = m.bh[i] + m.Wx[i * VOCAB + bytes[t]];
      for (let j = 0; j < H; j++) s += m.Wh[i * H + j] * h[j];
      next[i] = Math.tanh(s);
    }
    h = Float64Array.from(next);
    let mx = -Infinity;
    for (let o = 0; o < VOCAB; o++) {
      let s = m.by[o];
      for (let j = 0; j < H; j++) s += m.Wy[o * H + j] * h[j];
      logits[o] = s;
      if (s > mx) mx = s;
    }
    let sum = 0;
    for (let o = 0; o < VOCAB; o++) sum += Math.exp(logits[o] - mx);
    const logp = logits[bytes[t + 1]] - mx - Math.log(sum);
    bits += Math.min(-logp, -Math.log(1e-30)) / Math.LN2;
  }
  return bits;
}

/** Runs `fn` and returns the `code` of what it throws (or 'none'). */
export async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    return String((e as { code?: unknown }).code);
  }
  return 'none';
}

/**
 * Runs `code` in a child Node process (node `nodeArgs` -e code) that can `require(dist)`, the
 * compiled package (built by pretest). For what must not take the test runner down with it.
 */
export function runChild(code: string, nodeArgs: string[] = [], opts: { timeout?: number; shell?: string } = {}): {
  status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string;
} {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const script = `const dist = ${JSON.stringify(path.join(repoRoot, 'dist'))};\n${code}`;
  const argv = [...nodeArgs, '-e', script];
  const r = opts.shell !== undefined
    ? spawnSync('/bin/sh', ['-c', `${opts.shell}; exec "$0" "$@"`, process.execPath, ...argv], { encoding: 'utf8', timeout: opts.timeout ?? 30_000 })
    : spawnSync(process.execPath, argv, { encoding: 'utf8', timeout: opts.timeout ?? 30_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `bi-embed args…` (the compiled CLI), sends SIGINT once `when` holds — a number of ms after the
 * start, or a pattern seen on stderr — and resolves with the exit code and what it wrote.
 */
export async function interruptCli(args: string[], when: number | RegExp, env: NodeJS.ProcessEnv = process.env): Promise<{
  code: number | null; stdout: string; stderr: string;
}> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'bi-embed.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  let sent = false;
  const interrupt = (): void => { if (!sent && child.exitCode === null) { sent = true; child.kill('SIGINT'); } };
  child.stdout!.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (when instanceof RegExp && when.test(stderr)) interrupt();
  });
  const timer = typeof when === 'number' ? setTimeout(interrupt, when) : undefined;
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
