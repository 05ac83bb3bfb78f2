#!/usr/bin/env bash
# Usage: scripts/test-neon.sh [gtest args...]
# Cross-compiles native/kernels/*.cc + native/tests/test_kernels.cc and
# test_byte_transpose.cc (and native/bench/bench_kernels.cc with native/src/fma_peak.cc, compile only) for
# aarch64 and runs the tests under qemu-aarch64, so the NEON table and the NEON
# byte transpose are checked against the scalar ones on an x86 machine. Output goes to build-neon/ (BI_NEON_BUILD overrides).
# Needs: apt-get install -y g++-aarch64-linux-gnu qemu-user libgtest-dev
# (googletest sources in /usr/src/googletest).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${BI_NEON_BUILD:-$root/build-neon}
cxx=${CXX_AARCH64:-aarch64-linux-gnu-g++}
gt=/usr/src/googletest/googletest
for tool in "$cxx" qemu-aarch64; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y g++-aarch64-linux-gnu qemu-user)" >&2; exit 2; }
done
[ -f "$gt/src/gtest-all.cc" ] || { echo "missing $gt (apt-get install -y libgtest-dev)" >&2; exit 2; }
mkdir -p "$out"
flags=(-std=c++17 -O3 -Wall -Wextra -fno-math-errno -pthread)

# GoogleTest for aarch64, built once.
if [ ! -f "$out/libgtest_aarch64.a" ]; then
  echo "building googletest for aarch64..."
  "$cxx" -std=c++17 -O2 -pthread -I"$gt/include" -I"$gt" -c "$gt/src/gtest-all.cc" -o "$out/gtest-all.o"
  "$cxx" -std=c++17 -O2 -pthread -I"$gt/include" -c "$gt/src/gtest_main.cc" -o "$out/gtest_main.o"
  ar rcs "$out/libgtest_aarch64.a" "$out/gtest-all.o" "$out/gtest_main.o"
fi

"$cxx" "${flags[@]}" -I"$root/native/include" -I"$gt/include" \
  "$root"/native/kernels/*.cc "$root/native/tests/test_kernels.cc" "$root/native/tests/test_byte_transpose.cc" \
  "$out/libgtest_aarch64.a" -o "$out/test_kernels"
"$cxx" "${flags[@]}" -I"$root/native/include" \
  "$root"/native/kernels/*.cc "$root/native/src/fma_peak.cc" "$root/native/bench/bench_kernels.cc" -o "$out/bench_kernels"

# Death tests re-execute the binary, which needs qemu too: binfmt is usually
# not set up in containers, so skip them here (they run natively on x86).
exec qemu-aarch64 -L /usr/aarch64-linux-gnu "$out/test_kernels" \
  --gtest_filter="${GTEST_FILTER:--Dispatch.DefaultKernelsHonoursForceIsa}" "$@"
