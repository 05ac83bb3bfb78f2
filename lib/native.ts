/**
 * The raw addon, privately typed. Public code goes through the classes in this folder,
 * which validate inputs before anything crosses into C++.
 */
import * as path from 'node:path';
import { BiEmbedError, ErrorCodes } from './errors';

export type ProgressCallback = (done: number, total: number) => void;

export interface NativeCapture {
  hidden?: Float32Array;
  preact?: Float32Array;
  signs?: Uint8Array;
}

export interface NativeEvalOptions {
  isa?: string;
  threads: number;
  losses?: Float32Array;
  captures?: NativeCapture[];
}

export interface NativeEvalResult {
  bits: Float64Array;
  positions: Float64Array;
  totalBits: number;
  totalPositions: number;
  isa: string;
}

export interface NativeInfo {
  isa: string | null;
  isaError?: string;
  isas: string[];
  hardwareThreads: number;
}

export interface NativeAddon {
  setErrorClass(ctor: new (code: string, message: string) => Error): void;
  info(): NativeInfo;
  evaluate(
    params: Float32Array, hidden: number, data: Uint8Array, ranges: Float64Array,
    options: NativeEvalOptions, cancel: Int32Array | undefined, onProgress: ProgressCallback | undefined,
  ): Promise<NativeEvalResult>;
}

let addon: NativeAddon | undefined;

/** Loads the addon once (a prebuild, or the local build), explaining any failure. */
export function native(): NativeAddon {
  if (addon) return addon;
  const root = path.join(__dirname, '..');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = require('node-gyp-build') as (dir: string) => NativeAddon;
    addon = load(root);
  } catch (e) {
    throw new BiEmbedError(
      ErrorCodes.ADDON_LOAD,
      `cannot load the bi-embed native addon from ${root}: ${(e as Error).message}. ` +
        'No prebuild matches this platform and no local build exists; run `npm run build:addon` ' +
        '(needs a C++17 compiler and Python) or install on a supported platform.',
    );
  }
  addon.setErrorClass(BiEmbedError as unknown as new (code: string, message: string) => Error);
  return addon;
}
