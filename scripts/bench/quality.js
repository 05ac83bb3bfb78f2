'use strict';
// usage: npm run bench:quality [-- --json] [-- --seconds 60] [-- --sequential]
// Quality for the time spent, side by side in one run: `bi-embed train --recipe scale` and
// the PyTorch peer (../shared/peers/torch_quality.py) each train for --seconds on one
// thread, batch 64, on the first 90 % of enwiki-2016-sample.xml; both final models are
// scored on the last 10 % as one stream from h = 0 (SPEC §0, as the peer scores its own).
// bytes/s = trained bytes / wall seconds of the run (bi-embed's include its periodic and
// final evaluations and the save; the peer's exclude its evaluation). The peer is skipped
// with a message where python3-torch is missing (its README says how to install it with
// OpenBLAS: PYTHON and OPENBLAS_DIR below override where they are looked for).
// With two or more cores the two trainers run at the same time, one core each, so both see
// the same machine load (a shared machine's load changes within minutes); `--sequential`
// runs them one after the other.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { api, corpusPath, options, emit } = require('./common');

const peerScript = path.join(path.dirname(corpusPath('enwiki-2016-sample.xml')), '..', 'peers', 'torch_quality.py');
const python = process.env.PYTHON || (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
// The peers README's OpenBLAS, unpacked from the Debian package without installing it.
const openblas = process.env.OPENBLAS_DIR || '/tmp/openblas/usr/lib/x86_64-linux-gnu/openblas-openmp';

function peerEnv() {
  const env = { ...process.env, OMP_NUM_THREADS: '1' };
  if (fs.existsSync(openblas)) env.LD_LIBRARY_PATH = [openblas, env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return env;
}

/** Why the peer cannot run here, or null when it can. */
function peerMissing() {
  if (!fs.existsSync(peerScript)) return `${peerScript} is missing`;
  const r = spawnSync(python, ['-c', 'import torch'], { env: peerEnv(), encoding: 'utf8' });
  if (r.status !== 0) return `${python} cannot import torch (apt-get install python3-torch; see ../shared/peers/README.md)`;
  return null;
}

/** Starts the peer; resolves to its JSON result line (or throws with its stderr). */
function runPeer(trainFile, evalFile, seconds) {
  return new Promise((resolve, reject) => {
    const p = spawn(python, [peerScript, '--train', trainFile, '--eval', evalFile, '--seconds', String(seconds), '--batch', '64'],
      { env: peerEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) reject(new Error(`the peer failed (${code}): ${err}`));
      else resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

async function main() {
  const opts = options({ seconds: { type: 'string', default: '60' }, sequential: { type: 'boolean', default: false } });
  const seconds = Number(opts.seconds);
  if (!(seconds > 0)) throw new Error('--seconds must be a positive number');
  const together = !opts.sequential && os.cpus().length >= 2;
  const { Corpus, train, evaluate } = api();
  const corpus = Corpus.open(corpusPath('enwiki-2016-sample.xml'));
  const { train: trainRange, test } = corpus.split(0.1);
  const evalCorpus = Corpus.fromBytes(corpus.bytes.subarray(test[0], test[1]), 'enwiki-2016-sample.xml (last 10 %)');

  const missing = peerMissing();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bi-embed-quality-'));
  try {
    const trainFile = path.join(dir, 'train.bin');
    const evalFile = path.join(dir, 'eval.bin');
    fs.writeFileSync(trainFile, corpus.bytes.subarray(trainRange[0], trainRange[1]));
    fs.writeFileSync(evalFile, evalCorpus.bytes);
    const startPeer = () => runPeer(trainFile, evalFile, seconds);
    let peerRun = !missing && together ? startPeer() : null;
    if (peerRun) peerRun.catch(() => {}); // awaited below; keeps an early failure from being unhandled

    const t0 = Date.now();
    const r = await train({ corpus, recipe: 'scale', batch: 64, threads: 1, seconds });
    const wall = (Date.now() - t0) / 1000;
    const evalBpc = (await evaluate(r.model, evalCorpus)).bpc;
    const ours = {
      bench: 'quality', trainer: 'bi-embed', seconds: Number(wall.toFixed(1)), steps: r.steps,
      bytesSeen: r.steps * 64 * 50, bytesPerSecond: Math.round((r.steps * 64 * 50) / wall), evalBpc: Number(evalBpc.toFixed(4)),
      isa: r.isa, concurrentWithPeer: Boolean(peerRun),
    };
    emit(opts.json, ours, `bi-embed  ${seconds} s, 1 thread, batch 64: ${r.steps} steps, ${(ours.bytesPerSecond / 1e3).toFixed(0)}k bytes/s, eval bpc ${ours.evalBpc.toFixed(4)} (${r.isa}${peerRun ? ', beside the peer' : ''})`);

    if (missing) {
      emit(opts.json, { bench: 'quality', trainer: 'pytorch', skipped: missing }, `pytorch   skipped: ${missing}`);
      return;
    }
    const peer = await (peerRun ?? startPeer());
    const row = { bench: 'quality', trainer: 'pytorch', ...peer, concurrentWithBiEmbed: Boolean(peerRun) };
    delete row.peer;
    emit(opts.json, row, `pytorch   ${seconds} s, 1 thread, batch 64: ${(peer.bytesPerSecond / 1e3).toFixed(0)}k bytes/s, eval bpc ${peer.evalBpc.toFixed(4)} (torch ${peer.torch})`);
    const cmp = {
      bench: 'quality', compare: 'bi-embed − pytorch', seconds, bpcDelta: Number((ours.evalBpc - peer.evalBpc).toFixed(4)),
      bytesPerSecondRatio: Number((ours.bytesPerSecond / peer.bytesPerSecond).toFixed(2)),
      loadAverage: Number(os.loadavg()[0].toFixed(1)),
    };
    emit(opts.json, cmp, `bi-embed − pytorch: ${cmp.bpcDelta >= 0 ? '+' : ''}${cmp.bpcDelta.toFixed(4)} bpc, ${cmp.bytesPerSecondRatio}× the bytes/s (load average ${cmp.loadAverage})`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
