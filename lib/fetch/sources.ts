/**
 * What `bi-embed fetch` downloads, pinned and verifiable:
 *  - study: the study's two public files from inimino/hutter at commit 86fbef8 (raw URLs),
 *    each with its SHA-256 (computed from the study folder the tests read);
 *  - enwik8: the Hutter Prize's enwik8.zip (linked from prize.hutter1.net, hosted at
 *    mattmahoney.net), checked after unzipping: 100,000,000 bytes whose first 1024 are the
 *    study's text.
 * The base URLs can be overridden (tests serve local files on 127.0.0.1).
 */
export const STUDY_REPO_COMMIT = '86fbef8327207dd3e510c05118ba5aedd89b32e0';

export const studyBaseUrl = (): string =>
  process.env.BI_EMBED_STUDY_URL ?? `https://raw.githubusercontent.com/inimino/hutter/${STUDY_REPO_COMMIT}`;

export const enwik8Url = (): string => process.env.BI_EMBED_ENWIK8_URL ?? 'http://mattmahoney.net/dc/enwik8.zip';

export const STUDY_FILES: ReadonlyArray<{ name: string; sha256: string; size: number }> = [
  { name: 'enwik_1024.txt', sha256: 'ef3e698d40b8b36d6d1776feccc25bab3d01de872a4fd8e56f5b929631568496', size: 1024 },
  { name: 'sat_model.bin', sha256: '239036a0c2319f6835f56ee54bbc3ae8d19a10ab1224c26c77a3f66e59d2b68b', size: 329216 },
];

export const ENWIK8_SIZE = 100_000_000;
