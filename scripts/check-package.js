'use strict';
// usage: npm run check:package [-- file.tgz]   Packs bi-embed (or takes the given tarball), installs the tarball into an empty temporary
// folder with PREBUILDS_ONLY=1 and a PATH that holds only node and sh (no compiler, make or Python),
// and runs the CLI there: `bi-embed info`, `bi-embed eval --study` (bpc 0.0792; without the
// study's files, a 20-step training run on the package's README and its eval) and `bi-embed study`,
// the README's first command (both files written). Fails when
// the tarball lacks this platform's prebuild (or one named in BI_EXPECT_PREBUILDS, e.g.
// "linux-x64,linux-arm64") or carries tests, benchmarks or build intermediates. Prints what
// the tarball weighs. BI_EMBED_STUDY_DIR: the study's folder (default ../shared/study).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');

const root = path.join(__dirname, '..');
const npmCli = process.env.npm_execpath && /npm-cli\.js$/.test(process.env.npm_execpath)
  ? process.env.npm_execpath
  : path.join(path.dirname(process.execPath), process.platform === 'win32' ? '' : '../lib', 'node_modules/npm/bin/npm-cli.js');
const studyDir = path.resolve(process.env.BI_EMBED_STUDY_DIR ?? path.join(root, '..', 'shared', 'study'));
const failures = [];
const check = (ok, message) => { if (!ok) failures.push(message); };
function stopOnFailures() {
  if (!failures.length) return;
  process.stderr.write(`package check failed:\n  ${failures.join('\n  ')}\n`);
  process.exit(1);
}

// The environment of the nested npm: no npm_* variables of the outer `npm run` (npm_config_local_prefix
// would send the install back into this repository).
const cleanEnv = (extra) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_|^INIT_CWD$/i.test(k)));
  return { ...env, ...extra };
};
function run(cmd, args, options) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...options });
  if (r.status !== 0) {
    process.stderr.write(`${[cmd, ...args].join(' ')} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}\n`);
    process.exit(1);
  }
  return r.stdout;
}

// The paths in a .tgz (ustar: a 512-byte header per entry, name and prefix fields, octal size).
function tarFiles(tgz) {
  const b = zlib.gunzipSync(fs.readFileSync(tgz));
  const out = [];
  for (let at = 0; at + 512 <= b.length && b[at] !== 0;) {
    const field = (from, len) => b.toString('utf8', at + from, at + from + len).replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const name = [field(345, 155), field(0, 100)].filter(Boolean).join('/');
    if (b[at + 156] === 0x30 || b[at + 156] === 0) out.push({ path: name.replace(/^package\//, ''), size });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

// 1. The tarball: the one named on the command line (what a release publishes), or a fresh
// `npm pack` (dist/ compiled first; scripts skipped so the JSON output stays clean).
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bi-embed-pack-'));
process.on('exit', () => fs.rmSync(work, { recursive: true, force: true }));
let tarball = process.argv[2] && path.resolve(process.argv[2]);
if (!tarball) {
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: root });
  const [packed] = JSON.parse(run(process.execPath, [npmCli, 'pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: root, env: cleanEnv({}) }));
  tarball = path.join(work, packed.filename);
}
const entries = tarFiles(tarball);
const files = entries.map((e) => e.path);
const expected = [`${process.platform}-${process.arch}`, ...(process.env.BI_EXPECT_PREBUILDS ?? '').split(',').filter(Boolean)];
for (const t of new Set(expected)) check(files.some((f) => f.startsWith(`prebuilds/${t}/`)), `the tarball has no prebuilds/${t}/`);
// examples/*.ts are shipped on purpose: sources users read and run against the installed package.
const unwanted = files.filter((f) =>
  /^(test|coverage|scripts\/bench|native\/(tests|bench)|build(-[^/]*)?)\//.test(f) || /\.(o|a|obj|lib|pdb|tsbuildinfo|tgz)$/.test(f) ||
  (/\.ts$/.test(f) && !/\.d\.ts$/.test(f) && !f.startsWith('examples/')));
check(unwanted.length === 0, `the tarball carries files it should not: ${unwanted.slice(0, 10).join(', ')}`);
const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
console.log(`${path.basename(tarball)}: ${kb(fs.statSync(tarball).size)} packed, ${kb(entries.reduce((a, e) => a + e.size, 0))} unpacked, ` +
  `${files.length} files; prebuilds: ${entries.filter((e) => e.path.startsWith('prebuilds/')).map((e) => `${e.path.slice(10)} (${kb(e.size)})`).join(', ')}`);

stopOnFailures();

// 2. Install into an empty folder: PREBUILDS_ONLY=1, and a PATH with node alone.
const bin = path.join(work, 'bin');
fs.mkdirSync(bin);
const nodeName = path.basename(process.execPath);
if (process.platform === 'win32') fs.copyFileSync(process.execPath, path.join(bin, nodeName));
else fs.symlinkSync(process.execPath, path.join(bin, nodeName));
// npm runs install scripts through sh (cmd.exe on Windows, found through ComSpec).
if (process.platform !== 'win32') fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
const app = path.join(work, 'app');
fs.mkdirSync(app);
fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'check-bi-embed', private: true }));
const env = cleanEnv({ PATH: bin, Path: bin, PREBUILDS_ONLY: '1', BI_EMBED_STUDY_DIR: studyDir });
const t0 = Date.now();
run(process.execPath, [npmCli, 'install', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: app, env });
console.log(`installed in an empty folder with PATH=<node and sh> and PREBUILDS_ONLY=1 in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
const pkgDir = path.join(app, 'node_modules', 'bi-embed');
check(!fs.existsSync(path.join(pkgDir, 'build')), 'the install built from source (node_modules/bi-embed/build exists)');

// 3. The CLI's main commands, as a user runs them.
const cli = (args) => run(process.execPath, [path.join(pkgDir, 'bin', 'bi-embed.js'), ...args], { cwd: app, env });
const info = JSON.parse(cli(['info', '--json']));
console.log(`bi-embed info: ${info.version}, ISA ${info.isa} of ${info.isas.join(', ')}`);
if (fs.existsSync(path.join(studyDir, 'sat_model.bin')) && fs.existsSync(path.join(studyDir, 'enwik_1024.txt'))) {
  const ev = JSON.parse(cli(['eval', '--study', '--json']));
  console.log(`bi-embed eval --study: bpc ${ev.bpc.toFixed(4)} over ${ev.positions} positions (${ev.isa})`);
  check(Math.abs(ev.bpc - 0.0792) < 1e-4, `eval --study gave bpc ${ev.bpc}, not 0.0792`);
} else {
  // Where the study's files are not at hand (a public CI service), train briefly on the
  // package's README and evaluate the result: the same native passes, no reference figure.
  console.log(`no study files in ${studyDir}: training 20 steps on the package's README.md instead`);
  const text = path.join(pkgDir, 'README.md');
  const model = path.join(work, 'model.safetensors');
  cli(['train', '--corpus', text, '--steps', '20', '--batch', '4', '--out', model, '--json']);
  const ev = JSON.parse(cli(['eval', '--model', model, '--corpus', text, '--json']));
  console.log(`bi-embed eval: bpc ${ev.bpc.toFixed(3)} over ${ev.positions} positions (${ev.isa})`);
  check(ev.bpc > 0 && ev.bpc < 8, `eval of the briefly trained model gave bpc ${ev.bpc}`);
}
// The README's first command: the whole study on the embedded default text (with the study's
// model where BI_EMBED_STUDY_DIR holds it, otherwise one trained on the spot with the study recipe).
const studyOut = path.join(work, 'study');
const t1 = Date.now();
cli(['study', '--out', studyOut]);
for (const f of ['results.json', 'report.html']) check(fs.existsSync(path.join(studyOut, f)), `bi-embed study wrote no ${f}`);
console.log(`bi-embed study: results.json and report.html in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
stopOnFailures();
console.log('package check passed');
