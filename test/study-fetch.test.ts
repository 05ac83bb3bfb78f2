/**
 * bi-embed fetch against an HTTP server on 127.0.0.1 serving local files (never the real
 * hosts): success, a download cut short and resumed with Range, a wrong hash, a server
 * error, and enwik8's zip checked after unzipping.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ZipFile } from 'yazl';
import { fetchEnwik8, fetchStudy } from '../lib/fetch/fetch';
import { findStudyModel } from '../lib/study/model-source';
import { interruptCli, repoRoot, studyPath, tempDir } from './helpers';

interface Served { server: http.Server; base: string; ranges: string[] }

/** /ok/NAME serves files[NAME] (with Range); /cut/ stops halfway; /stall/ sends half and then nothing; /bad/ serves other bytes; /fail/ answers 500. */
async function serve(files: Record<string, Buffer>): Promise<Served> {
  const ranges: string[] = [];
  const server = http.createServer((req, res) => {
    const [, kind, name] = req.url!.split('/');
    const body = files[name];
    if (!body || kind === 'fail') { res.writeHead(body ? 500 : 404); res.end(); return; }
    if (kind === 'bad') { res.writeHead(200, { 'Content-Length': body.length }); res.end(Buffer.from(body).fill(0x20, 0, 16)); return; }
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) ranges.push(`${name}:${m[1]}`);
    const from = m ? Number(m[1]) : 0;
    res.writeHead(m ? 206 : 200, { 'Content-Length': body.length - from, ...(m ? { 'Content-Range': `bytes ${from}-${body.length - 1}/${body.length}` } : {}) });
    if (kind === 'stall') { res.write(body.subarray(from, from + Math.floor((body.length - from) / 2))); return; }
    if (kind === 'cut') {
      res.write(body.subarray(from, from + Math.floor((body.length - from) / 2)), () => res.socket!.destroy());
      return;
    }
    res.end(body.subarray(from));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, ranges };
}

const studyFiles = (): Record<string, Buffer> => ({
  'enwik_1024.txt': fs.readFileSync(studyPath('enwik_1024.txt')),
  'sat_model.bin': fs.readFileSync(studyPath('sat_model.bin')),
});

describe('bi-embed fetch study', () => {
  let s: Served;
  let study: Record<string, Buffer>;
  const env = { ...process.env };
  beforeAll(async () => { study = studyFiles(); s = await serve(study); });
  afterAll(() => { s.server.close(); process.env = env; });
  beforeEach(() => { process.env = { ...env, BI_EMBED_CACHE: tempDir() }; });

  it('downloads and verifies both files; the study runner then finds the model in the cache', async () => {
    process.env.BI_EMBED_STUDY_URL = `${s.base}/ok`;
    const files = await fetchStudy();
    expect(files.map((f) => [path.basename(f.path), f.bytes, f.downloaded])).toEqual([['enwik_1024.txt', 1024, true], ['sat_model.bin', 329216, true]]);
    expect(fs.readFileSync(files[1].path)).toEqual(study['sat_model.bin']);
    expect((await fetchStudy()).every((f) => !f.downloaded)).toBe(true);
    process.env.BI_EMBED_STUDY_DIR = path.join(process.env.BI_EMBED_CACHE!, 'nothing-here');
    expect(findStudyModel()).toBe(files[1].path);
  });

  it('a download cut short keeps its part and resumes with Range', async () => {
    process.env.BI_EMBED_STUDY_URL = `${s.base}/cut`;
    let message = '';
    await fetchStudy().catch((e: Error & { code: string }) => { message = `${e.code} ${e.message}`; });
    expect(message).toMatch(/^E_FETCH download of .*enwik_1024.txt cut short at 512 bytes of 1024/);
    const part = path.join(process.env.BI_EMBED_CACHE!, 'study', 'enwik_1024.txt.part');
    expect(fs.statSync(part).size).toBe(512);
    process.env.BI_EMBED_STUDY_URL = `${s.base}/ok`;
    s.ranges.length = 0;
    const files = await fetchStudy();
    expect(s.ranges).toEqual(['enwik_1024.txt:512']);
    expect(fs.readFileSync(files[0].path)).toEqual(study['enwik_1024.txt']);
    expect(fs.existsSync(part)).toBe(false);
  });

  it('a wrong hash is refused and removed; a server error is reported', async () => {
    process.env.BI_EMBED_STUDY_URL = `${s.base}/bad`;
    const dir = path.join(process.env.BI_EMBED_CACHE!, 'study');
    let message = '';
    await fetchStudy().catch((e: Error & { code: string }) => { message = `${e.code} ${e.message}`; });
    expect(message).toMatch(/^E_FETCH .*SHA-256 [0-9a-f]{64}, expected ef3e698d/);
    expect(fs.readdirSync(dir)).toEqual([]);
    process.env.BI_EMBED_STUDY_URL = `${s.base}/fail`;
    await fetchStudy().catch((e: Error & { code: string }) => { message = `${e.code} ${e.message}`; });
    expect(message).toMatch(/^E_FETCH .*HTTP 500/);
  });

  it('runs from the command line, and refuses an unknown name', async () => {
    const cache = process.env.BI_EMBED_CACHE!;
    const env = { ...process.env, BI_EMBED_STUDY_URL: `${s.base}/ok` };
    const run = (args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> => new Promise((resolve) => {
      execFile(process.execPath, [path.join(repoRoot, 'bin', 'bi-embed.js'), 'fetch', ...args], { env },
        (e, stdout, stderr) => resolve({ status: e ? (e.code as number) : 0, stdout, stderr }));
    });
    const ok = await run(['study', '--json', '--progress', 'json']);
    expect(ok.status).toBe(0);
    // progress: one event shape per file, the last of each at its full size
    const events = ok.stderr.trim().split('\n').map((l) => JSON.parse(l) as { stage: string; done: number; total: number; unit: string; final?: boolean });
    expect(events.filter((e) => e.final).map((e) => [e.stage, e.done, e.total, e.unit])).toEqual(
      [['fetch enwik_1024.txt', 1024, 1024, 'bytes'], ['fetch sat_model.bin', 329216, 329216, 'bytes']]);
    expect(JSON.parse(ok.stdout).files.map((f: { path: string }) => f.path)).toEqual(
      ['enwik_1024.txt', 'sat_model.bin'].map((n) => path.join(cache, 'study', n)));
    const bad = await run(['enwik9']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('E_OPTION');
  });

  it('Ctrl-C stops a download, keeps the bytes received and says how to resume; exit 130', async () => {
    const cache = process.env.BI_EMBED_CACHE!;
    const r = await interruptCli(['fetch', 'study', '--progress', 'json'], /fetch enwik_1024\.txt/, { ...process.env, BI_EMBED_STUDY_URL: `${s.base}/stall` });
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted: download of .*enwik_1024\.txt stopped at 512 bytes of 1024, kept in .*; run the command again to resume/);
    expect(fs.statSync(path.join(cache, 'study', 'enwik_1024.txt.part')).size).toBe(512);
  });
});

/** A zip holding one entry `enwik8` of the given bytes. */
function zipOf(bytes: Buffer): Promise<Buffer> {
  const z = new ZipFile();
  z.addBuffer(bytes, 'enwik8');
  z.end();
  const chunks: Buffer[] = [];
  return new Promise((resolve, reject) => {
    z.outputStream.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}

describe('bi-embed fetch enwik8', () => {
  const env = { ...process.env };
  afterAll(() => { process.env = env; });

  it('unzips and checks 100,000,000 bytes that start with the study text; refuses another size', async () => {
    // a stand-in with enwik8's size and first 1 KB (the real file is never fetched in tests)
    const text = Buffer.alloc(100_000_000, 0x61);
    fs.readFileSync(studyPath('enwik_1024.txt')).copy(text);
    const short = text.subarray(0, 5_000_000);
    const s = await serve({ 'enwik8.zip': await zipOf(text), 'short.zip': await zipOf(short) });
    try {
      process.env.BI_EMBED_CACHE = tempDir();
      process.env.BI_EMBED_ENWIK8_URL = `${s.base}/ok/enwik8.zip`;
      const f = await fetchEnwik8();
      expect(f).toMatchObject({ bytes: 100_000_000, downloaded: true });
      expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(fs.statSync(f.path).size).toBe(100_000_000);
      expect(fs.readdirSync(path.dirname(f.path))).toEqual(['enwik8']);
      expect((await fetchEnwik8()).downloaded).toBe(false);
      fs.rmSync(f.path);

      process.env.BI_EMBED_CACHE = tempDir();
      process.env.BI_EMBED_ENWIK8_URL = `${s.base}/ok/short.zip`;
      let message = '';
      await fetchEnwik8().catch((e: Error & { code: string }) => { message = `${e.code} ${e.message}`; });
      expect(message).toBe('E_FETCH the unzipped enwik8 has 5000000 bytes, expected 100000000');
    } finally {
      s.server.close();
    }
  });
});
