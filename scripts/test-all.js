'use strict';
// usage: npm run test:all   The whole suite, as CI runs it: the C++ tests (ctest), then
// the jest suite twice — with the default ISA and with BI_FORCE_ISA=scalar — and the NEON
// kernels under qemu-aarch64 when the cross tools are installed. Every suite runs; a summary
// line per suite and 'N passed, N failed' come last, and the exit status is non-zero if any failed.
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
