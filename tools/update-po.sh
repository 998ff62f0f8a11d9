#!/bin/sh
# update-po.sh: regenerates po/gz-profile.pot from the files in po/POTFILES, merges it into every
# language of po/LINGUAS (msgmerge), and prints how much of each is translated.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: tools/update-po.sh [BUILD_DIR]   (default: build; configured if missing)
# Then translate the untranslated and fuzzy entries of po/LANG.po (e.g. with `msgattrib
# --untranslated po/de.po` and `msgattrib --only-fuzzy po/de.po`, removing the fuzzy marks).
set -eu

cd "$(dirname "$0")/.."
build=${1:-build}
[ -f "$build/build.ninja" ] || meson setup "$build"
ninja -C "$build" gz-profile-pot
ninja -C "$build" gz-profile-update-po
for lang in $(grep -v '^#' po/LINGUAS); do
  printf '%s: ' "$lang"
  msgfmt --check --statistics -o /dev/null "po/$lang.po"
done
