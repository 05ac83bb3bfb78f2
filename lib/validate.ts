/** Option validation shared by the public API: one message format, one error code each. */
import { ErrorCodes, fail } from './errors';
import { native } from './native';

export const MAX_THREADS = 256;

/** A value as an error message shows it: strings quoted, arrays and objects by kind. */
export function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === null || v === undefined) return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${v.byteLength} bytes`;
  return `a ${(v as object).constructor?.name ?? 'null-prototype object'}`;
}

/**
 * Memory the native code reads or writes in place keeps its size for the whole job: a
 * resizable ArrayBuffer or growable SharedArrayBuffer is refused (docs/reliability.md).
 */
export function checkFixedMemory(name: string, view: ArrayBufferView): void {
  const b = view.buffer as { resizable?: boolean; growable?: boolean };
  if (b.resizable === true || b.growable === true) {
    fail(ErrorCodes.OPTION, `${name} is backed by a resizable ArrayBuffer or a growable SharedArrayBuffer; ` +
      'the native code reads it in place for a whole job: copy it into a fixed-length buffer');
  }
}

/**
 * The kernel sets (AVX2+FMA, NEON, the scalar reference) in the addon's priority order. The one
 * list is the native registry (isa_registry(), read as native().isaNames): every run-time check
 * and help text reads that. TypeScript needs the names as a literal union at compile time, so
 * this is the one literal copy, for the type only; test/public-api.test.ts fails when it differs
 * from the addon's registry (names and order).
 */
export const ISA_NAMES = ['avx2', 'neon', 'scalar'] as const;
export type IsaName = (typeof ISA_NAMES)[number];

export function checkThreads(threads: unknown): number {
  if (threads === undefined) return 1;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    fail(ErrorCodes.OPTION, `threads must be an integer in 1…${MAX_THREADS}, got ${shown(threads)}`);
  }
  return threads;
}

export function checkPositiveInt(name: string, v: unknown, max = Number.MAX_SAFE_INTEGER): number {
  return checkInt(name, v, 1, max);
}

/** An integer in lo…hi; the message shows the value as given. */
export function checkInt(name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
    fail(ErrorCodes.OPTION, `${name} must be an integer in ${lo}…${hi}, got ${shown(v)}`);
  }
  return v;
}

/** An options argument: undefined is {}, anything but a plain object (null, a string, an array) is E_OPTION. */
export function checkOptions<T extends object>(what: string, v: T | null | undefined): T {
  if (v === undefined) return {} as T;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(ErrorCodes.OPTION, `${what} options must be an object, got ${shown(v)}`);
  return v;
}

/** A file path argument: a non-empty string. */
export function checkPath(what: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') fail(ErrorCodes.OPTION, `${what} must be a file path (a non-empty string), got ${shown(v)}`);
  return v;
}

/** Resolves an ISA name (undefined = the default, which honours BI_FORCE_ISA). */
export function checkIsa(isa: unknown): string | undefined {
  if (isa === undefined) {
    const info = native().info();
    if (info.isa === null) fail(ErrorCodes.ISA_UNAVAILABLE, info.isaError ?? 'no usable ISA');
    return undefined;
  }
  const names = native().isaNames;  // the native registry: the one list of ISA names
  if (typeof isa !== 'string' || !names.includes(isa)) {
    fail(ErrorCodes.OPTION, `isa must be one of ${names.join('|')}, got ${shown(isa)}`);
  }
  if (!native().info().isas.includes(isa)) {
    fail(ErrorCodes.ISA_UNAVAILABLE, `this CPU/build cannot run ${isa} (available: ${native().info().isas.join(', ')})`);
  }
  return isa;
}

/** A memory bound in bytes (undefined = `fallback`): a positive finite number; NaN or Infinity never turn it off. */
export function checkByteLimit(name: string, v: unknown, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(ErrorCodes.OPTION, `${name} must be a positive finite number of bytes, got ${shown(v)}`);
  return v;
}
