/* gz-test-spin.h: a benchmark suite of known cost for the tests, handed to the harness as a
 * caller's own suite: a fixed arithmetic loop per operation, as long as a chosen factor says. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "gz-bench-suites.h"

G_BEGIN_DECLS

/* The loop steps of one operation at factor 1. */
#define GZ_TEST_SPIN_UNITS 1000

/* The suite, its operations @factor times as long as at factor 1 from the next run on (one
 * factor at a time in the process). */
const GzBenchSuite *gz_test_spin_suite (double  factor);
/* Runs @n operations at @factor directly, without the harness. */
void                gz_test_spin_run   (double  factor,
                                        guint64 n);

G_END_DECLS
