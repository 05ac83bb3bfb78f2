'use strict';
// usage: npm run test:all   The whole suite, as CI runs it: the C++ tests (ctest), then
// the jest suite twice — with the default ISA and with BI_FORCE_ISA=scalar — and the NEON
// kernels under qemu-aarch64 when the cross tools are installed, and the linux-arm64 prebuild
// under Debian's arm64 node in qemu where arm64 packages can be fetched. Every suite runs; a
// summary line per suite and 'N passed, N failed' come last, and the exit status is non-zero if
// any failed.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const steps = [
  ['C++ tests (ctest)', [npm, ['run', 'test:native']], {}],
  ['jest, default ISA', [npm, ['test']], {}],
  ['jest, BI_FORCE_ISA=scalar', [npm, ['test']], { BI_FORCE_ISA: 'scalar' }],
];
// The NEON kernels and byte transpose, cross-compiled for aarch64 and run under qemu, when
// this machine has the tools (CI installs them; elsewhere the step says it was skipped).
const has = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
if (process.platform !== 'win32' && has('aarch64-linux-gnu-g++') && has('qemu-aarch64')) {
  steps.push(['NEON kernels (aarch64 under qemu)', ['bash', [path.join('scripts', 'test-neon.sh')]], {}]);
} else {
  process.stdout.write('NEON step skipped: needs aarch64-linux-gnu-g++ and qemu-aarch64 (apt-get install g++-aarch64-linux-gnu qemu-user)\n');
}
// The linux-arm64 prebuild under Debian's arm64 node in qemu (about 3 minutes), when this
// machine can cross-compile it and fetch arm64 packages (dpkg --add-architecture arm64).
const arm64Packages = spawnSync('dpkg', ['--print-foreign-architectures'], { encoding: 'utf8' }).stdout?.split('\n').includes('arm64');
if (process.platform === 'linux' && has('aarch64-linux-gnu-g++') && has('qemu-aarch64') && arm64Packages) {
  steps.push(['arm64 prebuild under qemu (Debian arm64 node)', ['bash', [path.join('scripts', 'test-arm64.sh')]], {}]);
} else {
  process.stdout.write('arm64 step skipped: needs aarch64-linux-gnu-g++, qemu-aarch64 and arm64 packages (apt-get install g++-aarch64-linux-gnu qemu-user; dpkg --add-architecture arm64 && apt-get update)\n');
}
// Every suite runs even when an earlier one fails, so one run reports all of them.
const results = [];
for (const [label, [cmd, args], env] of steps) {
  process.stdout.write(`\n=== ${label} ===\n`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env }, shell: process.platform === 'win32' });
  results.push({ label, ok: r.status === 0, seconds: (Date.now() - t0) / 1000 });
}
process.stdout.write('\n');
for (const r of results) process.stdout.write(`${r.ok ? 'passed' : 'FAILED'}  ${r.label} (${r.seconds.toFixed(0)} s)\n`);
const failed = results.filter((r) => !r.ok).length;
process.stdout.write(`suites: ${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed > 0 ? 1 : 0);
