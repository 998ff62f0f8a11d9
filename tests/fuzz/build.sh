#!/bin/sh
# build.sh: builds the decoder's libFuzzer target with clang (-fsanitize=fuzzer,address,undefined)
# from the sources, beside a meson build dir that has generated profile.pb-c.[ch] and config.h.
# Usage: tests/fuzz/build.sh SOURCE_ROOT BUILD_ROOT OUTPUT. Exit 77 when clang cannot build a
# libFuzzer program (Debian: clang and libclang-rt-dev, see tools/install-deps.sh).
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

src=$1
build=$2
out=$3
clang=$(command -v clang-14 || command -v clang || true)
[ -n "$clang" ] || { echo "SKIP: clang is missing (tools/install-deps.sh)"; exit 77; }

profile="$src/src/core/profile"
gen="$build/src/core/profile"
[ -f "$gen/profile.pb-c.c" ] && [ -f "$build/config.h" ] || {
  echo "build.sh: $build has no generated profile.pb-c.c or config.h: build it first" >&2
  exit 1; }

# The one-line probe: can this clang link a libFuzzer program?
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}\n' \
  > "$probe/p.c"
"$clang" -fsanitize=fuzzer "$probe/p.c" -o "$probe/p" 2>/dev/null || {
  echo "SKIP: $clang cannot link -fsanitize=fuzzer (libclang-rt-dev is missing)"; exit 77; }

# shellcheck disable=SC2046
"$clang" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -DG_LOG_DOMAIN='"GzFuzz"' -I"$build" -I"$gen" -I"$profile" \
  $(pkg-config --cflags glib-2.0 gio-2.0 libprotobuf-c zlib) \
  "$src/tests/fuzz/fuzz-decode.c" \
  "$profile/gz-profile.c" "$profile/gz-profile-decode.c" "$profile/gz-profile-validate.c" \
  "$profile/gz-profile-top.c" $(ls "$profile/gz-profile-legacy.c" 2>/dev/null) \
  "$gen/profile.pb-c.c" \
  $(pkg-config --libs glib-2.0 gio-2.0 libprotobuf-c zlib) -o "$out"
