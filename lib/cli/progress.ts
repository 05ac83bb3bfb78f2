/**
 * Progress of every long command, on stderr: `--progress auto|bar|lines|json|none`.
 * auto = a bar on a terminal, timestamped lines otherwise (under tee, nohup, CI); with --json
 * output and no terminal, auto stays quiet (ask for lines or json to get them). Events have the
 * one shape of lib/progress.ts; extra fields (loss, bpc, …) ride along.
 */
import { Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { ErrorCodes, fail } from '../errors';
import { ProgressEvent, ProgressTracker } from '../progress';

export const PROGRESS_MODES = ['auto', 'bar', 'lines', 'json', 'none'] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

export const progressOption = (): Option =>
  new Option('--progress <mode>', 'progress on stderr: auto (a bar on a terminal, timestamped lines otherwise), bar, lines, json (one event per line), none')
    .default('auto');

/** Seconds between two progress lines (lines mode) and two JSON events (json mode). */
const LINE_SECONDS = 5;
const JSON_SECONDS = 0.5;

export type Extra = Record<string, string | number | null>;

export interface CliProgress {
  /** Reports `done` of `total`; `extra` adds fields (JSON) or text (bar, lines). */
  update(done: number, total: number, extra?: Extra): void;
  /** The (done, total) callback the API takes. */
  readonly onProgress: (done: number, total: number) => void;
  /** Renames the stage (e.g. 'construct: grid'). */
  stage(name: string): void;
  /** Ends the bar or prints the last line/event. */
  stop(): void;
}

function modeOf(flags: { progress?: string; json?: boolean }): Exclude<ProgressMode, 'auto'> {
  const mode = (flags.progress ?? 'auto') as ProgressMode;
  if (!PROGRESS_MODES.includes(mode)) fail(ErrorCodes.OPTION, `--progress must be one of ${PROGRESS_MODES.join('|')}, got '${mode}'`);
  if (mode !== 'auto') return mode;
  if (process.stderr.isTTY) return 'bar';
  return flags.json ? 'none' : 'lines';
}

function duration(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '?';
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.round((s % 3600) / 60)).padStart(2, '0')}m`;
}

function amount(v: number, unit: string): string {
  return unit === 's' ? duration(v) : Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(2);
}

/** "3/8 stages", "1m05s of 2m00s budget"; nothing for a percentage (unit '%': the bar and lines show it already). */
function ofText(e: ProgressEvent, sep: string): string {
  if (e.unit === '%') return '';
  return e.unit === 's' ? `${duration(e.done)}${sep}${duration(e.total)}${sep === '/' ? '' : ' budget'}` : `${amount(e.done, e.unit)}/${amount(e.total, e.unit)} ${e.unit}`;
}

function extraText(extra: Extra | undefined): string {
  return extra ? Object.entries(extra).filter(([, v]) => v !== null && v !== '').map(([k, v]) => `${k} ${v}`).join(' | ') : '';
}

/** Starts the progress display of one command. `unit` names what done and total count. */
export function startProgress(flags: { progress?: string; json?: boolean }, stage: string, unit: string): CliProgress {
  const mode = modeOf(flags);
  const tracker = new ProgressTracker(stage, unit);
  let last: { e: ProgressEvent; extra?: Extra } | undefined;
  let lastPrinted = false;
  let stopped = false;
  let printedAt = 0;
  let bar: SingleBar | undefined;

  const line = (e: ProgressEvent, extra?: Extra): string => {
    const pct = e.total > 0 ? ` ${((100 * e.done) / e.total).toFixed(0).padStart(3)}%` : '';
    const of = ofText(e, ' of ');
    const x = extraText(extra);
    return `${new Date().toISOString().slice(0, 19)}Z ${e.stage}${pct}${of ? ' ' + of : ''}, ${duration(tracker.elapsed())} elapsed, ETA ${duration(e.etaSeconds)}${x ? ' | ' + x : ''}`;
  };
  const emit = (final: boolean): void => {
    if (!last) return;
    const { e, extra } = last;
    if (mode === 'json') process.stderr.write(JSON.stringify({ ...e, elapsedSeconds: tracker.elapsed(), ...extra, ...(final ? { final: true } : {}) }) + '\n');
    else if (mode === 'lines') process.stderr.write(line(e, extra) + '\n');
  };

  const update = (done: number, total: number, extra?: Extra): void => {
    if (mode === 'none') return;
    const e = tracker.event(done, total);
    last = { e, extra };
    if (mode === 'bar') {
      // Own names (etaText, elapsedText): cli-progress fills {eta} and {duration} itself, unsmoothed.
      const payload = {
        stage: e.stage, of: ofText(e, '/') ? ` | ${ofText(e, '/')}` : '',
        etaText: duration(e.etaSeconds), elapsedText: duration(tracker.elapsed()), extra: extraText(extra) ? ' | ' + extraText(extra) : '',
      };
      if (!bar) {
        bar = new SingleBar({ format: '{stage} [{bar}] {percentage}%{of} | {elapsedText} elapsed | ETA {etaText}{extra}', stream: process.stderr, hideCursor: true });
        bar.start(Math.max(total, 1e-9), done, payload);
      }
      bar.setTotal(Math.max(total, 1e-9));
      bar.update(done, payload);
      return;
    }
    const now = Date.now();
    const gap = mode === 'json' ? JSON_SECONDS : LINE_SECONDS;
    lastPrinted = printedAt === 0 || now - printedAt >= gap * 1000;
    if (lastPrinted) {
      printedAt = now;
      emit(false);
    }
  };
  return {
    update,
    onProgress: (done, total) => update(done, total),
    stage: (name) => { tracker.stage = name; },
    stop: () => {
      if (stopped) return;
      stopped = true;
      if (bar) bar.stop();
      else if (mode === 'json' || !lastPrinted) emit(true);
      last = undefined;
    },
  };
}
