#!/usr/bin/env bash
# Counts subtests from meson's test logs and prints "N passed, N failed, N skipped" over the
# given build dirs as its last line; exits 1 when anything failed.
# Usage: tools/test-summary.sh [--each] BUILDDIR...   (--each: also one line per build dir)
# SPDX-License-Identifier: GPL-3.0-or-later
#
# What counts (BUILDDIR/meson-logs/testlog.json has one JSON object per test, with the test's
# whole stdout; BUILDDIR/meson-info/intro-tests.json says which tests speak TAP):
# - a TAP test counts each subtest line: "ok" passes, "ok ... # SKIP" skips, "not ok" fails
#   ("# TODO" as meson reads it: "not ok # TODO" is an expected failure and passes, "ok # TODO"
#   an unexpected pass and fails). Subtests its plan ("1..N") announced but that never reported
#   (the program crashed, bailed out or timed out) fail; a program that meson failed (non-zero
#   exit, a leak report at exit, a bail-out) with no failed subtest adds one failure. A whole
#   program skipped ("1..0 # SKIP reason") counts as one skip;
# - any other test counts as one, by meson's result: OK and EXPECTEDFAIL pass, SKIP skips,
#   everything else (FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, ...) fails;
# - a build dir without a test log (configure or build failed, or no tests ran) counts as one
#   failure.
# Every skip and failure is listed with its reason on stderr before the counts, so that a
# subtest that skipped (say, because the machine was too busy to compare timings) says so.
set -u

exec python3 - "$@" <<'EOF'
import json
import os
import re
import sys

RE_TEST = re.compile(r'(not )?ok\b\s*([0-9]+)?([^#]*)(?:#\s*([Ss][Kk][Ii][Pp]\S*|[Tt][Oo][Dd][Oo])\b\s*(.*))?')
RE_PLAN = re.compile(r'1\.\.([0-9]+)(?:\s*#\s*([Ss][Kk][Ii][Pp]\S*)\b\s*(.*))?')
RE_BAILOUT = re.compile(r'Bail out!\s*(.*)')
GOOD = ('OK', 'EXPECTEDFAIL')


def tap_protocols(build_dir):
    """Test name -> protocol, from meson's introspection data."""
    path = os.path.join(build_dir, 'meson-info', 'intro-tests.json')
    try:
        with open(path, encoding='utf-8') as f:
            return {t['name']: t.get('protocol', 'exitcode') for t in json.load(f)}
    except (OSError, ValueError):
        return {}


def looks_like_tap(stdout):
    return any(RE_PLAN.fullmatch(l.strip()) or RE_TEST.match(l.strip())
               for l in stdout.splitlines())


def count_tap(name, result, stdout, notes):
    """(passed, failed, skipped) of one TAP program; appends a line per skip or failure."""
    passed = failed = skipped = seen = 0
    plan = None
    bailout = None
    for line in stdout.splitlines():
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        m = RE_TEST.match(line)
        if m:
            seen += 1
            ok = m.group(1) is None
            what = (m.group(3) or '').strip() or 'subtest %d' % seen
            directive = (m.group(4) or '').upper()
            reason = (m.group(5) or '').strip()
            if directive.startswith('SKIP') and ok:
                skipped += 1
                notes.append('skipped: %s %s: %s' % (name, what, reason or 'no reason given'))
            elif directive == 'TODO':
                if ok:
                    failed += 1
                    notes.append('failed: %s %s: passed but marked TODO' % (name, what))
                else:
                    passed += 1
            elif ok:
                passed += 1
            else:
                failed += 1
                notes.append('failed: %s %s' % (name, what))
            continue
        m = RE_PLAN.fullmatch(line)
        if m and plan is None:
            plan = int(m.group(1))
            if plan == 0:
                skipped += 1
                notes.append('skipped: %s (all of it): %s'
                             % (name, (m.group(3) or '').strip() or 'no reason given'))
            continue
        m = RE_BAILOUT.match(line)
        if m and bailout is None:
            bailout = m.group(1).strip() or 'no reason given'

    if plan is not None and plan > seen:
        failed += plan - seen
        notes.append('failed: %s: %d of %d planned subtests never reported%s'
                     % (name, plan - seen, plan, ' (bailed out: %s)' % bailout if bailout else ''))
    if failed == 0 and result not in GOOD and result != 'SKIP':
        failed += 1
        notes.append('failed: %s: %s%s' % (name, result,
                                           ' (bailed out: %s)' % bailout if bailout else
                                           ' after its subtests'))
    if passed + failed + skipped == 0:
        # Meson calls a TAP program that reported nothing a skip.
        if result == 'SKIP':
            skipped += 1
            notes.append('skipped: %s: reported no subtests' % name)
        else:
            failed += 1
            notes.append('failed: %s: %s, no subtests reported' % (name, result))
    return passed, failed, skipped


def count_build(build_dir, notes):
    log = os.path.join(build_dir, 'meson-logs', 'testlog.json')
    try:
        with open(log, encoding='utf-8', errors='replace') as f:
            lines = [l for l in f if l.strip()]
    except OSError:
        lines = []
    if not lines:
        notes.append('failed: %s: no meson test log: configure or build failed, or no tests ran'
                     ' (counted as 1 failed)' % build_dir)
        return 0, 1, 0

    protocols = tap_protocols(build_dir)
    passed = failed = skipped = 0
    for line in lines:
        try:
            test = json.loads(line)
        except ValueError:
            notes.append('failed: %s: unreadable line in %s' % (build_dir, log))
            failed += 1
            continue
        full_name = test.get('name', '?')
        short_name = full_name.rsplit(' / ', 1)[-1]
        result = test.get('result', 'ERROR')
        stdout = test.get('stdout') or ''
        label = '%s %s' % (build_dir, short_name)
        protocol = protocols.get(short_name)
        if protocol == 'tap' or (protocol is None and looks_like_tap(stdout)):
            p, f, s = count_tap(label, result, stdout, notes)
        elif result in GOOD:
            p, f, s = 1, 0, 0
        elif result == 'SKIP':
            p, f, s = 0, 0, 1
            notes.append('skipped: %s' % label)
        else:
            p, f, s = 0, 1, 0
            notes.append('failed: %s: %s' % (label, result))
        passed += p
        failed += f
        skipped += s
    return passed, failed, skipped


def main(argv):
    each = False
    if argv and argv[0] == '--each':
        each = True
        argv = argv[1:]
    totals = [0, 0, 0]
    notes = []
    per_dir = []
    for build_dir in argv:
        counts = count_build(build_dir, notes)
        per_dir.append('%s: %d passed, %d failed, %d skipped' % ((build_dir,) + counts))
        totals = [a + b for a, b in zip(totals, counts)]
    sys.stdout.flush()
    for note in notes:
        print(note, file=sys.stderr)
    sys.stderr.flush()
    if each:
        for line in per_dir:
            print(line)
    print('%d passed, %d failed, %d skipped' % tuple(totals))
    return 1 if totals[1] else 0


sys.exit(main(sys.argv[1:]))
EOF
