#!/usr/bin/env bash
# add-spdx.sh: adds the line "SPDX-License-Identifier: GPL-3.0-or-later" to every source file
# that lacks it, right after the file's leading comment (the one that says what it is for), so
# that the first line still says what the file is for. Idempotent; --check only lists the files
# that lack it and exits 1 if any does (tests/test-packaging-spdx.sh).
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Usage: tools/add-spdx.sh [--check] [FILE…]   (default: every tracked source file)
# Forms: C and headers `/* SPDX-License-Identifier: GPL-3.0-or-later */`; Go `// SPDX-…`;
# shell, Python, meson `# SPDX-…` (after the #! line); GtkBuilder .ui `<!-- SPDX-… -->` (after
# <?xml …?>). JSON and the data files gettext merges have no room for it and are left out.
set -euo pipefail

cd "$(dirname "$0")/.."
check=0
if [ "${1:-}" = --check ]; then
  check=1
  shift
fi
if [ $# -eq 0 ]; then
  mapfile -t files < <(git ls-files -- '*.c' '*.h' '*.ui' '*.sh' '*.py' '*.go' 'meson.build' \
                         '*/meson.build' 'meson_options.txt' '.ci/run')
else
  files=("$@")
fi

python3 - "$check" "${files[@]}" <<'EOF'
import re
import sys

TAG = 'SPDX-License-Identifier: GPL-3.0-or-later'
check = sys.argv[1] == '1'


def style(path, lines):
    if path.endswith(('.c', '.h')):
        return 'c'
    if path.endswith('.go'):
        return 'go'
    if path.endswith('.ui'):
        return 'xml'
    return 'hash'


def leading_comment_end(kind, lines):
    """Index of the first line after the shebang/declaration and the leading comment."""
    i = 0
    if kind == 'hash' and lines and lines[0].startswith('#!'):
        i = 1
    if kind == 'xml' and lines and lines[0].startswith('<?xml'):
        i = 1
    start = i
    if kind == 'c':
        if i < len(lines) and lines[i].lstrip().startswith('/*'):
            while i < len(lines) and '*/' not in lines[i]:
                i += 1
            i += 1
    elif kind == 'go':
        while i < len(lines) and lines[i].startswith('//'):
            i += 1
    elif kind == 'xml':
        if i < len(lines) and lines[i].lstrip().startswith('<!--'):
            while i < len(lines) and '-->' not in lines[i]:
                i += 1
            i += 1
    else:
        while i < len(lines) and lines[i].startswith('#') and lines[i].strip() != '#':
            i += 1
    return start, min(i, len(lines))


def has_tag(kind, lines):
    start, end = leading_comment_end(kind, lines)
    # The tag may sit in the leading comment or in the comment right after it.
    return any(TAG in l for l in lines[start:end + 2])


missing = []
for path in sys.argv[2:]:
    with open(path, encoding='utf-8') as f:
        text = f.read()
    lines = text.split('\n')
    kind = style(path, lines)
    if has_tag(kind, lines):
        continue
    missing.append(path)
    if check:
        continue
    _, end = leading_comment_end(kind, lines)
    line = {'c': f'/* {TAG} */', 'go': f'// {TAG}', 'xml': f'<!-- {TAG} -->',
            'hash': f'# {TAG}'}[kind]
    lines.insert(end, line)
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(lines))

for path in missing:
    print(('lacks the SPDX line: ' if check else 'added the SPDX line: ') + path)
sys.exit(1 if check and missing else 0)
EOF
