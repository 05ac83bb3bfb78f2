/**
 * Options several commands share, each defined once so its flags read alike everywhere,
 * and the checks of their values. Commands add them with `.addOption(…)` in their own
 * order (the order of --help); descriptions and defaults that differ are arguments.
 */
import { Option } from 'commander';
import { ErrorCodes, fail } from '../errors';

export const corpusOption = (description = 'corpus file'): Option => new Option('--corpus <file>', description);

export const modelOption = (description = 'model file (.bin raw or .safetensors)'): Option =>
  new Option('--model <file>', description);

export const studyOption = (description = "use the study's sat_model.bin and enwik_1024.txt from $BI_EMBED_STUDY_DIR"): Option =>
  new Option('--study', description);

/** --mode: study or scale; check the value with checkMode. */
export const modeOption = (description: string, fallback?: string): Option =>
  new Option('--mode <mode>', description).default(fallback);

export const testFractionOption = (description: string, fallback?: string): Option =>
  new Option('--test-fraction <f>', description).default(fallback);

export const threadsOption = (description: string, fallback: string): Option =>
  new Option('--threads <n>', description).default(fallback);

export const seedOption = (description: string): Option => new Option('--seed <n>', description).default('1');

export const epochsOption = (description: string, fallback?: string): Option =>
  new Option('--epochs <n>', description).default(fallback);

export const isaOption = (description = 'force kernels: scalar|avx2|neon'): Option => new Option('--isa <name>', description);

export const jsonOption = (description = 'print one JSON object'): Option => new Option('--json', description);

/** A positive integer flag value; `name` is the flag, for the error. */
export function intFlag(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) fail(ErrorCodes.OPTION, `${name} must be a positive integer, got '${v}'`);
  return n;
}

/** A fraction flag value, strictly between 0 and 1. */
export function fractionFlag(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!(n > 0 && n < 1)) fail(ErrorCodes.OPTION, `${name} must be in (0, 1), got '${v}'`);
  return n;
}

/** --mode, when given, is study or scale. */
export function checkMode(mode: string | undefined): asserts mode is 'study' | 'scale' | undefined {
  if (mode !== undefined && mode !== 'study' && mode !== 'scale') fail(ErrorCodes.OPTION, `--mode must be study or scale, got '${mode}'`);
}
