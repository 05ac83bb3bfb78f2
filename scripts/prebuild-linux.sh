#!/usr/bin/env bash
# usage: scripts/prebuild-linux.sh [x64|arm64]...   (default: x64 arm64)
# Builds prebuilds/linux-<arch>/bi-embed.<libc>.node with prebuildify (--napi --tag-libc
# --strip), offline: headers come from the local Node (npm_config_nodedir, or the install
# prefix of `node` when it holds include/node/node_api.h). An arch other than the host's is
# cross-compiled with Debian's toolchain for it (g++-aarch64-linux-gnu: gcc, g++, ar and its
# own strip). Used by .ci/run and by the release workflow's Linux jobs (glibc and musl).
# The build runs in a staging folder so the local build/ (a developer's addon) is untouched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
archs=("$@")
[ ${#archs[@]} -gt 0 ] || archs=(x64 arm64)

if [ -z "${npm_config_nodedir:-}" ]; then
  prefix=$(cd "$(dirname "$(command -v node)")/.." && pwd)
  [ -f "$prefix/include/node/node_api.h" ] && export npm_config_nodedir=$prefix
fi
host=$(node -p process.arch)
version=$(node -p process.versions.node)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
export JOBS=${JOBS:-2}  # node-gyp make -j (prebuildify passes none)
for f in binding.gyp package.json native bindings node_modules; do ln -s "$root/$f" "$stage/$f"; done

# ELF e_machine of a built file: x64 = 62, arm64 = 183.
machine() { node -e "process.stdout.write(String(require('fs').readFileSync(process.argv[1]).readUInt16LE(18)))" "$1"; }

for arch in "${archs[@]}"; do
  case "$arch" in
    x64) triple=x86_64-linux-gnu; want=62 ;;
    arm64) triple=aarch64-linux-gnu; want=183 ;;
    *) echo "unknown arch $arch (x64|arm64)" >&2; exit 2 ;;
  esac
  cross=()
  strip_bin=strip
  if [ "$arch" != "$host" ]; then
    for tool in gcc g++ ar strip; do
      command -v "$triple-$tool" >/dev/null ||
        { echo "missing $triple-$tool (apt-get install -y g++-${triple%%-*}-linux-gnu)" >&2; exit 2; }
    done
    cross=(CC="$triple-gcc" CXX="$triple-g++" AR="$triple-ar" LINK="$triple-g++")
    strip_bin=$triple-strip
  fi
  echo "=== prebuild linux-$arch (node $version headers from ${npm_config_nodedir:-the node-gyp cache}) ==="
  (cd "$stage" && env "${cross[@]}" node "$root/node_modules/prebuildify/bin.js" \
    --napi --tag-libc --strip --strip-bin "$strip_bin" --arch "$arch" --target "node@$version" --out "$root")

  # The core library must have seen no Node header: its include path is native/include only.
  incs=$(sed -n '/^INCS_Release/,/^$/p' "$stage/build/bi_core.target.mk" | grep -e '-I' | grep -v 'native/include' || true)
  [ -z "$incs" ] || { echo "bi_core sees more than native/include:$incs" >&2; exit 1; }

  for f in "$root/prebuilds/linux-$arch"/*.node; do
    [ "$(machine "$f")" = "$want" ] || { echo "$f is not a linux-$arch binary" >&2; exit 1; }
    echo "built $f ($(wc -c <"$f") bytes)"
  done
done
