#!/usr/bin/env python3
# test-po-potfiles.py: po/POTFILES names every source file with translatable strings (_(, N_(,
# C_(, NC_(, translatable="yes", and the data files gettext reads), in sorted order, and
# nothing that does not exist. Speaks TAP.
# SPDX-License-Identifier: GPL-3.0-or-later
# Usage: test-po-potfiles.py SOURCE_ROOT

import os
import re
import sys

root = sys.argv[1]
MARKS = re.compile(r'(?<![A-Za-z0-9_])(?:N|C|NC|Q)?_\s*\(\s*"|translatable="yes"')
# Data files whose strings gettext extracts by their format (desktop, metainfo, schema, MIME).
DATA = re.compile(r'\.(desktop\.in(\.in)?|metainfo\.xml\.in(\.in)?|gschema\.xml|mime\.xml\.in)$')

with open(os.path.join(root, 'po', 'POTFILES'), encoding='utf-8') as f:
    listed = [l.strip() for l in f if l.strip() and not l.startswith('#')]

needed = []
for top in ('src', 'data'):
    for dirpath, _, names in os.walk(os.path.join(root, top)):
        for name in names:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if DATA.search(name):
                needed.append(rel)
            elif name.endswith(('.c', '.h', '.ui')):
                with open(path, encoding='utf-8', errors='replace') as f:
                    if MARKS.search(f.read()):
                        needed.append(rel)

print('1..3')
missing = sorted(set(needed) - set(listed))
if missing:
    print('not ok 1 - files with translatable strings missing from po/POTFILES')
    for m in missing:
        print(f'# add: {m}')
else:
    print(f'ok 1 - po/POTFILES names all {len(set(needed))} files with translatable strings')

gone = [l for l in listed if not os.path.exists(os.path.join(root, l))]
if gone:
    print('not ok 2 - po/POTFILES names files that do not exist')
    for g in gone:
        print(f'# remove: {g}')
else:
    print('ok 2 - every file in po/POTFILES exists')

if listed == sorted(listed) and len(listed) == len(set(listed)):
    print('ok 3 - po/POTFILES is sorted, without duplicates')
else:
    print('not ok 3 - po/POTFILES is not sorted or has duplicates')
    for a, b in zip(listed, sorted(listed)):
        if a != b:
            print(f'# first out of order: {a} (expected {b})')
            break
