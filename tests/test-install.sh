#!/usr/bin/env bash
# test-install.sh: `meson install` into a DESTDIR puts everything where a desktop finds it — the
# programs, the preload library, desktop file, MIME type, metainfo, schema, icons, translations, man page,
# bash completion — each is valid, and the installed programs run: from the DESTDIR, and as if
# installed (the DESTDIR's prefix mounted over the real one in a private mount namespace, when
# root may): the preload library is found, and LANGUAGE=de switches the language. Speaks TAP.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: test-install.sh BUILD_ROOT SOURCE_ROOT PREFIX LIBDIR APP_ID VERSION HAVE_APP HAVE_PRELOAD
set -u

build=$1 source=$2 prefix=$3 libdir=$4 app_id=$5 version=$6 have_app=$7 have_preload=$8
case $libdir in /*) ;; *) libdir=$prefix/$libdir ;; esac

tmp=$(mktemp -d /tmp/gz-test-install-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
root=$dest$prefix
share=$root/share
export HOME=$tmp/home XDG_RUNTIME_DIR=$tmp/run XDG_CONFIG_HOME=$tmp/config
export XDG_DATA_HOME=$tmp/data XDG_CACHE_HOME=$tmp/cache
mkdir -p "$HOME" "$XDG_CONFIG_HOME" && mkdir -m 700 "$XDG_RUNTIME_DIR"
# A sanitized build's programs must not fail on their exit-time leak reports here.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

n=0
ok ()   { n=$((n + 1)); echo "ok $n - $*"; }
fail () { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
skip () { n=$((n + 1)); echo "ok $n # SKIP $*"; }
has ()  { command -v "$1" >/dev/null 2>&1; }

echo "1..14"

# 1. the install itself
if out=$(meson install -C "$build" --destdir "$dest" --no-rebuild --quiet 2>&1); then
  ok "meson install --destdir"
else
  fail "meson install --destdir" "$out"
  exit 0
fi

# 2. every file in its place
expected=("$root/bin/gz-cli" "$share/man/man1/gz-cli.1" "$share/bash-completion/completions/gz-cli"
          "$share/locale/de/LC_MESSAGES/gz-profile.mo")
[ "$have_preload" = true ] && expected+=("$dest$libdir/gz/libgz-preload.so")
if [ "$have_app" = true ]; then
  expected+=("$root/bin/gz-profile" "$share/applications/$app_id.desktop"
             "$share/metainfo/$app_id.metainfo.xml" "$share/mime/packages/$app_id.xml"
             "$share/glib-2.0/schemas/io.github.gz.Profile.gschema.xml"
             "$share/icons/hicolor/scalable/apps/$app_id.svg"
             "$share/icons/hicolor/symbolic/apps/$app_id-symbolic.svg")
fi
missing=()
for f in "${expected[@]}"; do [ -s "$f" ] || missing+=("missing: ${f#"$dest"}"); done
if [ ${#missing[@]} -eq 0 ]; then
  ok "all ${#expected[@]} files installed"
else
  fail "installed files" "${missing[@]}"
fi

# 3. the programs start from the DESTDIR
out=$("$root/bin/gz-cli" --version 2>&1)
app_out="gz-profile $version"
if [ "$have_app" = true ]; then
  app_out=$(env -u DISPLAY -u WAYLAND_DISPLAY "$root/bin/gz-profile" --version 2>&1)
fi
if [ "$out" != "gz-cli $version" ]; then
  fail "DESTDIR gz-cli --version" "got: $out"
elif [ "$app_out" != "gz-profile $version" ]; then
  fail "DESTDIR gz-profile --version" "got: $app_out"
elif [ "$have_app" = true ]; then
  ok "gz-cli and gz-profile --version from the DESTDIR print $version"
else
  ok "gz-cli --version from the DESTDIR prints $version"
fi

# 4. man page: formats without a warning and documents every command gz-cli lists
man_page=$share/man/man1/gz-cli.1
if ! has man; then
  skip "man not found; run tools/install-deps.sh"
else
  warnings=$(MANWIDTH=100 man --warnings -E UTF-8 -l "$man_page" 2>&1 >/dev/null)
  text=$(MANWIDTH=100 man -E UTF-8 -l "$man_page" 2>/dev/null)
  commands=$("$root/bin/gz-cli" profile --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p')
  absent=()
  for c in $commands; do
    grep -q "gz-cli profile $c" <<<"$text" || absent+=("no section for $c")
  done
  if [ -n "$warnings" ]; then
    fail "man page formats without warnings" "$warnings"
  elif [ -z "$commands" ] || [ ${#absent[@]} -gt 0 ]; then
    fail "man page documents every command" "commands: $commands" "${absent[@]}"
  else
    ok "man page: $(wc -w <<<"$commands") commands, no formatting warning"
  fi
fi

# 5. bash completion: commands, subcommands, options, listed values, a subcommand's words
completion=$share/bash-completion/completions/gz-cli
complete_words () {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _gz_cli
            echo "${COMPREPLY[*]}"' _ "$completion" "$@"
}
got1=$(complete_words gz-cli pro)
got2=$(complete_words gz-cli profile st)
got3=$(complete_words gz-cli profile stop --ses)
got4=$(complete_words gz-cli profile results ex)
got5=$(complete_words gz-cli profile benchmark --ignore)
got6=$(complete_words gz-cli profile start --type m)
got7=$(complete_words gz-cli profile benchmark --name json-u)
if [ "$got1" = profile ] && [ "$got2" = "start stop stats" ] && [ "$got3" = "--session=" ] \
   && [ "$got4" = export ] && [ "$got5" = "--ignore-failure" ] && [ "$got6" = "memory mutex" ] \
   && [ "$got7" = json-unmarshal ]; then
  ok "completion: gz-cli pro -> profile; st -> start stop stats; options, values, subcommands"
else
  fail "completion" "pro -> '$got1'" "profile st -> '$got2'" "stop --ses -> '$got3'" \
       "results ex -> '$got4'" "benchmark --ignore -> '$got5'" "start --type m -> '$got6'" \
       "benchmark --name json-u -> '$got7'"
fi

# 6. translations: the .mo is valid and has translations
if out=$(msgunfmt "$share/locale/de/LC_MESSAGES/gz-profile.mo" 2>&1) \
   && grep -q '^msgstr "[^"]' <<<"$out"; then
  ok "de translation installed: $(grep -c '^msgid "[^"]' <<<"$out") messages"
else
  fail "de translation" "$out"
fi

if [ "$have_app" != true ]; then
  for i in 7 8 9 10; do skip "built without the application (-Dapp=false)"; done
else
  # 7. desktop file valid, naming the MIME type
  desktop=$share/applications/$app_id.desktop
  if ! has desktop-file-validate; then
    skip "desktop-file-validate not found; run tools/install-deps.sh"
  elif ! out=$(desktop-file-validate "$desktop" 2>&1) || [ -n "$out" ]; then
    fail "desktop-file-validate" "$out"
  elif ! grep -q '^MimeType=.*application/x-pprof;' "$desktop" \
       || ! grep -q '^Exec=gz-profile %F' "$desktop"; then
    fail "desktop file names application/x-pprof and takes files" \
         "$(grep -E '^(Exec|MimeType)=' "$desktop")"
  else
    ok "desktop file valid, opens application/x-pprof files"
  fi

  # 8. MIME: the database builds, and GIO sees *.pb.gz and *.prof as pprof profiles
  if ! has update-mime-database || ! has gio; then
    skip "update-mime-database or gio not found; run tools/install-deps.sh"
  elif ! out=$(update-mime-database "$share/mime" 2>&1); then
    fail "update-mime-database" "$out"
  else
    printf 'profile' | gzip > "$tmp/cpu.pb.gz"
    cp "$tmp/cpu.pb.gz" "$tmp/cpu_1764120000.prof"
    types=()
    for f in "$tmp/cpu.pb.gz" "$tmp/cpu_1764120000.prof"; do
      types+=("$(XDG_DATA_DIRS=$share:/usr/share gio info -a standard::content-type "$f" \
                 | sed -n 's/.*standard::content-type: //p')")
    done
    parent=$(grep -c 'application/x-pprof application/gzip' "$share/mime/subclasses")
    if [ "${types[0]}" = application/x-pprof ] && [ "${types[1]}" = application/x-pprof ] \
       && [ "$parent" = 1 ]; then
      ok "MIME: *.pb.gz and *.prof are application/x-pprof, a sub-class of application/gzip"
    else
      fail "MIME types" "cpu.pb.gz: ${types[0]}" "cpu_1764120000.prof: ${types[1]}" \
           "sub-class lines: $parent"
    fi
  fi

  # 9. metainfo valid
  if ! has appstreamcli; then
    skip "appstreamcli not found; run tools/install-deps.sh"
  elif out=$(appstreamcli validate --no-net "$share/metainfo/$app_id.metainfo.xml" 2>&1); then
    ok "appstreamcli validate --no-net"
  else
    fail "appstreamcli validate --no-net" "$out"
  fi

  # 10. schemas compile where installed (meson skips post-install scripts under DESTDIR)
  if out=$(glib-compile-schemas --strict "$share/glib-2.0/schemas" 2>&1) \
     && [ -s "$share/glib-2.0/schemas/gschemas.compiled" ]; then
    ok "glib-compile-schemas --strict on the installed schemas"
  else
    fail "glib-compile-schemas" "$out"
  fi
fi

# 11-14: as installed. The DESTDIR's prefix is mounted over the real prefix in a private mount
# namespace, so that the paths compiled into the programs (the preload library, the locale dir) are used.
as_installed () {
  unshare --mount --propagation private sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' \
    _ "$root" "$prefix" "$@"
}
reason=
if [ "$(id -u)" != 0 ]; then
  reason="needs root for a private mount namespace"
elif ! has unshare; then
  reason="unshare not found"
elif [ "$prefix" = /usr ] || [ "$prefix" = / ] || [ ! -d "$prefix" ]; then
  reason="prefix $prefix cannot be mounted over"
elif ! as_installed true 2>/dev/null; then
  reason="unshare --mount is not permitted here"
fi
if [ -n "$reason" ]; then
  for i in 11 12 13 14; do skip "$reason"; done
  exit 0
fi

# 11. the installed gz-cli finds the installed preload: `profile run` launches a program with it
if [ "$have_preload" != true ]; then
  skip "no preload library in this build (not built under the sanitizers)"
elif out=$(as_installed env -u GZ_PRELOAD_LIBRARY "$prefix/bin/gz-cli" profile run -- true 2>&1); then
  ok "installed gz-cli profile run -- true finds $libdir/gz/libgz-preload.so"
else
  fail "installed gz-cli profile run -- true" "$out"
fi

# The German text of the longest msgid of po/de.po found in @1 (English output), translated and
# not fuzzy; "msgid<TAB>msgstr", or nothing.
german_for () {
  python3 - "$source/po/de.po" "$1" <<'EOF'
import re, sys

def unquote(s):
    text = ''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', s))
    return text.encode().decode('unicode_escape').encode('latin-1').decode('utf-8')

english = sys.argv[2]
entries = open(sys.argv[1], encoding='utf-8').read().split('\n\n')
best = None
for entry in entries:
    if '#, fuzzy' in entry or 'msgid_plural' in entry or 'msgctxt' in entry:
        continue
    m = re.search(r'^msgid (".*?)^msgstr (".*)', entry, re.S | re.M)
    if not m:
        continue
    msgid, msgstr = unquote(m.group(1)), unquote(m.group(2))
    if len(msgid) >= 12 and msgstr and msgstr != msgid and '%' not in msgid and '\n' not in msgid \
       and msgid in english and (best is None or len(msgid) > len(best[0])):
        best = (msgid, msgstr)
# The longest: a short one may only be a part of another message.
if best:
    print(f'{best[0]}\t{best[1]}')
EOF
}

# 12. gz-cli speaks German with LANGUAGE=de
cli_help='gz=$1; "$gz" --help; "$gz" profile --help
          for c in stop list stats compare; do "$gz" profile $c --help-all; done'
english=$(as_installed env LC_ALL=C.UTF-8 LANGUAGE= sh -c "$cli_help" _ "$prefix/bin/gz-cli" 2>&1)
pair=$(german_for "$english")
if [ -z "$pair" ]; then
  skip "po/de.po translates none of gz-cli's help yet (tools/update-po.sh, then translate)"
else
  german=$(as_installed env LC_ALL=C.UTF-8 LANGUAGE=de sh -c "$cli_help" _ "$prefix/bin/gz-cli" \
           2>&1)
  if grep -qF "${pair#*$'\t'}" <<<"$german"; then
    ok "LANGUAGE=de gz-cli: \"${pair%%$'\t'*}\" -> \"${pair#*$'\t'}\""
  else
    fail "LANGUAGE=de gz-cli" "expected \"${pair#*$'\t'}\" for \"${pair%%$'\t'*}\""
  fi
fi

# 13. the app speaks German with LANGUAGE=de
if [ "$have_app" != true ]; then
  skip "built without the application (-Dapp=false)"
else
  english=$(as_installed env -u DISPLAY -u WAYLAND_DISPLAY LC_ALL=C.UTF-8 LANGUAGE= \
    "$prefix/bin/gz-profile" --help 2>&1)
  pair=$(german_for "$english")
  german=$(as_installed env -u DISPLAY -u WAYLAND_DISPLAY LC_ALL=C.UTF-8 LANGUAGE=de \
    "$prefix/bin/gz-profile" --help 2>&1)
  if [ -z "$pair" ]; then
    skip "po/de.po translates none of gz-profile --help"
  elif grep -qF "${pair#*$'\t'}" <<<"$german"; then
    ok "LANGUAGE=de gz-profile: \"${pair%%$'\t'*}\" -> \"${pair#*$'\t'}\""
  else
    fail "LANGUAGE=de gz-profile --help" "expected \"${pair#*$'\t'}\"" "$german"
  fi
fi

# 14. and back: LANGUAGE=de does not leak into the English run (the test is not vacuous)
out=$(as_installed env LC_ALL=C.UTF-8 LANGUAGE= "$prefix/bin/gz-cli" --help 2>&1)
if grep -q '^Usage:' <<<"$out"; then
  ok "without LANGUAGE gz-cli speaks English"
else
  fail "gz-cli --help in English" "$out"
fi
