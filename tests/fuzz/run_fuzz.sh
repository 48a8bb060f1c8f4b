#!/usr/bin/env bash
# Builds the HTTP request fuzz target with clang (libFuzzer + AddressSanitizer + UBSan) and
# runs it for a bounded time: FUZZ_SECONDS (default 30, the CI mode; give it hours for a
# real campaign). Seeds come from tests/fuzz/corpus; new inputs go to a scratch corpus.
# Exit status: non-zero when the build fails or the fuzzer finds a crash (its input is
# saved under $WORK/crash-* and named in the output).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${1:-${TMPDIR:-/tmp}/tierscope-fuzz}"
seconds="${FUZZ_SECONDS:-30}"
mkdir -p "$work/corpus"

clangxx="$(command -v clang++-14 || command -v clang++ || true)"
if [ -z "$clangxx" ]; then
  echo "run_fuzz: clang++ not found (Debian packages clang and libfuzzer-14-dev; scripts/install-deps.sh)" >&2
  exit 1
fi

binary="$work/fuzz_http_request"
sources=("$here/fuzz_http_request.cpp" "$root/core/src/server/http_message.cc" "$root/core/src/server/multipart.cc")
if [ ! -x "$binary" ] || [ -n "$(find "${sources[@]}" "$root/core/include/tierscope/server" -newer "$binary" 2>/dev/null)" ]; then
  echo "run_fuzz: building $binary"
  "$clangxx" -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -DBOOST_BEAST_USE_STD_STRING_VIEW -I"$root/core/include" "${sources[@]}" -o "$binary"
fi

cp -n "$here"/corpus/* "$work/corpus/" 2>/dev/null || true
echo "run_fuzz: fuzzing for ${seconds}s"
cd "$work"
"$binary" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 corpus
