#!/bin/sh
# test-packaging-flatpak.sh: the Flatpak manifest, offline: flatpak-builder reads it without a
# warning, every module's source is pinned (sha256 or git commit), the runtime is a numbered
# release, and the sandbox asks for nothing broader than the app needs. Speaks TAP.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: test-packaging-flatpak.sh MANIFEST
set -u

manifest=$1
echo "1..3"

if command -v flatpak-builder >/dev/null 2>&1; then
  err=$(flatpak-builder --show-manifest "$manifest" 2>&1 >/dev/null)
  status=$?
  if [ $status -eq 0 ] && [ -z "$err" ]; then
    echo "ok 1 - flatpak-builder --show-manifest reads it without a warning"
  else
    echo "not ok 1 - flatpak-builder --show-manifest (status $status)"
    echo "$err" | sed 's/^/# /'
  fi
else
  echo "ok 1 # SKIP flatpak-builder not found; run tools/install-deps.sh"
fi

# The checks on content, in Python: a list of problems, one per line, empty when all is well.
problems=$(python3 - "$manifest" <<'EOF'
import json, re, sys

m = json.load(open(sys.argv[1]))
own = m['modules'][-1]
for module in m['modules']:
    if isinstance(module, str):
        print(f'module {module}: a separate file, not checked')
        continue
    for source in module.get('sources', []):
        kind = source.get('type')
        if kind in ('archive', 'file'):
            if not re.fullmatch(r'[0-9a-f]{64}', source.get('sha256', '')):
                print(f"{module['name']}: {source.get('url')} has no sha256")
            if not source.get('url', '').startswith('https://'):
                print(f"{module['name']}: {source.get('url')} is not https")
        elif kind == 'git':
            if not re.fullmatch(r'[0-9a-f]{40}', source.get('commit', '')):
                print(f"{module['name']}: git source without a commit")
        elif kind == 'dir' and module is own:
            pass  # the project itself, from this tree
        else:
            print(f"{module['name']}: source type {kind} cannot be pinned")
if not re.fullmatch(r'\d+', str(m.get('runtime-version', ''))):
    print(f"runtime-version {m.get('runtime-version')} is not a numbered release")
EOF
)
if [ -z "$problems" ]; then
  echo "ok 2 - every module's source is pinned; the runtime is a numbered release"
else
  echo "not ok 2 - unpinned sources:"
  echo "$problems" | sed 's/^/# /'
fi

problems=$(python3 - "$manifest" <<'EOF'
import json, sys

m = json.load(open(sys.argv[1]))
args = m.get('finish-args', [])
allowed = {'--share=ipc', '--share=network', '--socket=wayland', '--socket=fallback-x11',
           '--device=dri'}
for a in args:
    if a not in allowed:
        print(f'{a} is broader than the app needs')
for a in ('--share=network', '--socket=wayland', '--socket=fallback-x11', '--device=dri'):
    if a not in args:
        print(f'{a} is missing')
if m.get('command') != 'gz-profile':
    print('the command is not gz-profile')
EOF
)
if [ -z "$problems" ]; then
  echo "ok 3 - finish-args: network (the server), wayland/fallback-x11, dri and nothing broader"
else
  echo "not ok 3 - finish-args:"
  echo "$problems" | sed 's/^/# /'
fi
