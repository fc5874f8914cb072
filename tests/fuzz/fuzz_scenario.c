/*
 * fuzz_scenario.c: a libFuzzer harness over the scenario-script interpreter
 * (tools/scenario.c).
 *
 * The input is a scenario script.  It runs on a small system with the
 * invariant checkers on after every command; a violation (SCENARIO_CHECK)
 * aborts, so the fuzzer reports it.  Any other status (syntax errors,
 * failed expectations) is a normal outcome of a random script.
 *
 * Built two ways: with clang -fsanitize=fuzzer (make fuzz), and with the
 * plain compiler and tests/fuzz/replay_main.c, which replays the corpus
 * and the regressions under ctest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Frames of the system: small, so each run is cheap. */
#define FUZZ_SCN_NPAGES 1024

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scenario_opts o;
	int status;

	scenario_opts_init(&o);
	o.npages = FUZZ_SCN_NPAGES;
	o.quiet = 1;
	o.check = 1;
	o.err = NULL;	/* diagnostics go to out, which is discarded */
	o.name = "fuzz";
	status = scenario_run_buffer((const char *)data, size, NULL, &o);
	if (status == SCENARIO_CHECK) {
		fprintf(stderr, "fuzz_scenario: invariant violation\n");
		abort();
	}
	if (status == SCENARIO_FATAL) {
		/* The system could not be created: not the script's doing. */
		fprintf(stderr, "fuzz_scenario: SCENARIO_FATAL\n");
		abort();
	}
	return 0;
}
