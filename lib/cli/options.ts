/**
 * Options several commands share, each defined once so its flags read alike everywhere,
 * and the checks of their values. Commands add them with `.addOption(…)` in their own
 * order (the order of --help); descriptions and defaults that differ are arguments.
 */
import { Option } from 'commander';
import { Corpus, DEFAULT_TEST_FRACTION } from '../corpus';
import { Mode, defaultMode, defaultThreads, modeReason } from '../defaults';
import { ErrorCodes, fail } from '../errors';
import { native } from '../native';

export const corpusOption = (description = 'corpus file'): Option => new Option('--corpus <file>', description);

export const modelOption = (description = 'model file (.bin raw or .safetensors)'): Option =>
  new Option('--model <file>', description);

export const studyOption = (description = "use the study's sat_model.bin and enwik_1024.txt from $BI_EMBED_STUDY_DIR (set it to their folder; a clone's default is ../shared/study)"): Option =>
  new Option('--study', description);

/** --mode: study or scale; without it resolveMode decides by the corpus (lib/defaults.ts). */
export const modeOption = (description: string): Option =>
  new Option('--mode <mode>', `${description}; default: study for the study's own enwik_1024.txt, scale for any other corpus`);

/** --test-fraction: the held-out share at the end of the corpus, default DEFAULT_TEST_FRACTION (the API's too). */
export const testFractionOption = (description: string): Option =>
  new Option('--test-fraction <f>', description).default(String(DEFAULT_TEST_FRACTION));

/** --threads: the machine's cores unless given (the API's default too). */
export const threadsOption = (description: string, fallback = defaultThreads()): Option =>
  new Option('--threads <n>', description).default(String(fallback));

export const seedOption = (description: string): Option => new Option('--seed <n>', description).default('1');

export const epochsOption = (description: string, fallback?: string): Option =>
  new Option('--epochs <n>', description).default(fallback);

/** --isa; the help lists the addon's ISA names (lib/validate.ts checks the value against them). */
export const isaOption = (purpose = 'force kernels'): Option => new Option('--isa <name>', `${purpose}: ${isaNameList()}`);

/** The addon's ISA names for help texts; help must print even when the addon cannot load. */
function isaNameList(): string {
  try {
    return native().isaNames.join('|');
  } catch {
    return 'see `bi-embed info`';
  }
}

export const jsonOption = (description = 'print one JSON object'): Option => new Option('--json', description);

/**
 * The one numeric-flag parser: a finite number (a blank value is not 0), an integer when
 * `integer`, above 0 when `positive`; `name` is the flag, for the error (E_OPTION).
 */
export function numberFlag(name: string, v: string, opts: { integer?: boolean; positive?: boolean } = {}): number {
  const n = Number(v);
  const ok = v.trim() !== '' && Number.isFinite(n) && (!opts.integer || Number.isSafeInteger(n)) && (!opts.positive || n > 0);
  if (!ok) {
    const what = `${opts.positive ? 'positive ' : ''}${opts.integer ? 'integer' : 'number'}`;
    fail(ErrorCodes.OPTION, `${name} must be ${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what}, got '${v}'`);
  }
  return n;
}

/** A positive integer flag value. */
export function intFlag(name: string, v: string): number {
  return numberFlag(name, v, { integer: true, positive: true });
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

/**
 * The mode of a run: --mode when given, else decided by the corpus. The choice and its reason go to
 * stderr (not with --json, whose output carries `mode`).
 */
export function resolveMode(flag: string | undefined, corpus: Corpus, json: boolean | undefined): Mode {
  checkMode(flag);
  const mode = flag ?? defaultMode(corpus);
  if (!json) process.stderr.write(`bi-embed: ${modeReason(mode, flag !== undefined)}\n`);
  return mode;
}
