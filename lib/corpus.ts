/**
 * Corpus: a file's bytes read once into one Buffer; splits and slices are views of it,
 * never copies. The content hash (SHA-256) identifies the corpus in model metadata.
 */
import { createHash } from 'node:crypto';
import { ErrorCodes, fail } from './errors';
import { readRegularFile } from './io/files';
import { checkFixedMemory, shown } from './validate';

export const DEFAULT_TEST_FRACTION = 0.1;

export interface Split {
  /** First (1 − testFraction) of the bytes, as [begin, end). */
  train: [number, number];
  /** Last testFraction of the bytes, as [begin, end). */
  test: [number, number];
  testFraction: number;
}

export class Corpus {
  readonly bytes: Buffer;
  readonly name: string;
  /** The file it was read from (Corpus.open); undefined for bytes from memory. */
  readonly path?: string;
  private cachedHash?: string;

  private constructor(bytes: Buffer, name: string, file?: string) {
    if (bytes.length === 0) fail(ErrorCodes.CORPUS_EMPTY, `corpus ${name} is empty`);
    this.bytes = bytes;
    this.name = name;
    this.path = file;
  }

  /** Reads a whole file into one Buffer. */
  static open(path: string): Corpus {
    return new Corpus(readRegularFile(path, 'corpus', true), path, path);
  }

  /** Wraps bytes already in memory (no copy). */
  static fromBytes(bytes: Uint8Array, name = '<memory>'): Corpus {
    if (!(bytes instanceof Uint8Array)) fail(ErrorCodes.OPTION, `Corpus.fromBytes needs a Uint8Array or Buffer, got ${shown(bytes)}`);
    if (typeof name !== 'string') fail(ErrorCodes.OPTION, `Corpus.fromBytes: name must be a string, got ${shown(name)}`);
    checkFixedMemory('the corpus bytes', bytes);
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return new Corpus(buf, name);
  }

  get size(): number {
    return this.bytes.length;
  }

  /** A view of bytes [begin, end). */
  slice(begin: number, end: number): Buffer {
    checkRange(this, [begin, end], 0);
    return this.bytes.subarray(begin, end);
  }

  /** Contiguous train/test split: train = first 90%, test = last 10% by default. */
  split(testFraction = DEFAULT_TEST_FRACTION): Split {
    if (!(typeof testFraction === 'number' && testFraction > 0 && testFraction < 1)) {
      fail(ErrorCodes.OPTION, `testFraction must be in (0, 1), got ${String(testFraction)}`);
    }
    const cut = Math.floor(this.size * (1 - testFraction));
    if (cut < 2 || this.size - cut < 2) {
      fail(ErrorCodes.CORPUS_TOO_SHORT, `corpus ${this.name} (${this.size} bytes) is too short to split ${1 - testFraction}/${testFraction} with ≥ 2 bytes each side`);
    }
    return { train: [0, cut], test: [cut, this.size], testFraction };
  }

  /** SHA-256 of the content, hex; computed once. */
  hash(): string {
    if (!this.cachedHash) this.cachedHash = createHash('sha256').update(this.bytes).digest('hex');
    return this.cachedHash;
  }
}

/** Validates [begin, end) against the corpus; `minBytes` is the least length accepted. */
export function checkRange(corpus: Corpus, range: unknown, minBytes = 2): [number, number] {
  if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => Number.isSafeInteger(v))) {
    fail(ErrorCodes.RANGE, `a range must be two integers [begin, end), got ${JSON.stringify(range)}`);
  }
  const [a, b] = range as [number, number];
  if (a < 0 || b > corpus.size || a > b) {
    fail(ErrorCodes.RANGE, `range ${a}:${b} is outside the corpus ${corpus.name} (0:${corpus.size})`);
  }
  if (b - a < minBytes) {
    fail(ErrorCodes.CORPUS_TOO_SHORT, `range ${a}:${b} holds ${b - a} bytes; at least ${minBytes} are needed`);
  }
  return [a, b];
}

/** Parses "A:B" (either side may be empty: ":B", "A:") into a range of the corpus. */
export function parseRange(text: string, size: number): [number, number] {
  const m = /^(\d*):(\d*)$/.exec(text.trim());
  if (!m) fail(ErrorCodes.RANGE, `range must look like A:B, got '${text}'`);
  const a = m[1] === '' ? 0 : Number(m[1]);
  const b = m[2] === '' ? size : Number(m[2]);
  return [a, b];
}
