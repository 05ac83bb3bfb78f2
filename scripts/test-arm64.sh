#!/usr/bin/env bash
# usage: scripts/test-arm64.sh   The linux-arm64 prebuild, run for real under qemu-aarch64:
# Debian's arm64 nodejs and the arm64 libraries it depends on (apt-get download, unpacked with
# dpkg-deb -x into build-arm64/sysroot, not installed) run the CLI and a jest subset with
# PREBUILDS_ONLY=1, so prebuilds/linux-arm64 is what loads. Checks: the addon reports neon;
# `bi-embed eval --study` gives bpc 0.0792; jest: eval under scalar and neon against a float64
# reference, NEON training gradients against scalar, a short interrupted-and-resumed training
# run (bitwise), and the file formats. The prebuild is (re)built when missing or older than
# the sources. Needs: qemu-user, g++-aarch64-linux-gnu, and arm64 as a dpkg architecture
# (dpkg --add-architecture arm64 && apt-get update). Takes about 3 minutes on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=${BI_ARM64_BUILD:-$root/build-arm64}
sys=$out/sysroot
command -v qemu-aarch64 >/dev/null || { echo "missing qemu-aarch64 (apt-get install -y qemu-user)" >&2; exit 2; }

# The arm64 Node: nodejs:arm64 and the shared libraries in its dependency closure.
if [ ! -x "$sys/usr/bin/node" ]; then
  dpkg --print-foreign-architectures | grep -qx arm64 ||
    { echo "arm64 is not a dpkg architecture here: dpkg --add-architecture arm64 && apt-get update" >&2; exit 2; }
  pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances --no-pre-depends nodejs:arm64 |
    grep -E '^((lib[a-z0-9.+-]+|zlib1g|nodejs):arm64|node-[a-z0-9.+-]+)$' | sort -u)
  rm -rf "$out/debs" "$sys" && mkdir -p "$out/debs" "$sys"
  (cd "$out/debs" && apt-get download -q $pkgs)
  for deb in "$out"/debs/*.deb; do dpkg-deb -x "$deb" "$sys"; done
fi
node_arm64() { PREBUILDS_ONLY=1 qemu-aarch64 -L "$sys" "$sys/usr/bin/node" "$@"; }
echo "arm64 node $(node_arm64 -p 'process.arch + " " + process.version')"

prebuild=$(ls prebuilds/linux-arm64/*.node 2>/dev/null | head -1 || true)
if [ -z "$prebuild" ] || [ -n "$(find native bindings binding.gyp -newer "$prebuild" -print -quit)" ]; then
  bash scripts/prebuild-linux.sh arm64
fi
node node_modules/typescript/bin/tsc -p tsconfig.json  # the CLI runs from dist/

info=$(node_arm64 bin/bi-embed.js info --json)
node -e "const i = JSON.parse(process.argv[1]); if (i.isa !== 'neon') { console.error('arm64 addon reports', i); process.exit(1) }
  console.log('addon loads under qemu-aarch64, ISA', i.isa, 'of', i.isas.join(', '))" "$info"
ev=$(node_arm64 bin/bi-embed.js eval --study --json)
node -e "const e = JSON.parse(process.argv[1]); console.log('bi-embed eval --study: bpc', e.bpc.toFixed(4), 'over', e.positions, 'positions, isa', e.isa);
  if (e.isa !== 'neon' || Math.abs(e.bpc - 0.0792) > 1e-4) process.exit(1)" "$ev"

node_arm64 node_modules/jest/bin/jest.js --runInBand --config jest.arm64.config.js \
  test/eval.test.ts test/train.test.ts test/io.test.ts \
  -t 'study model|SIMD gradients match scalar|interrupted and resumed scale run|raw format|safetensors reader|model files'
