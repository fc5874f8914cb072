/*
 * bsdvm.c: the bsdvm command-line tool.
 *
 * Runs a scenario script (docs/cli.md) against a fresh bsdvm system and
 * prints what every command did: the quickest way to watch zero-fill
 * faults, copy-on-write after fork, files, shared memory and devices
 * mapped as objects, and OpenBSD's errno rules at work.
 *
 * Exit status: 0 success, 1 an expectation failed, 2 usage or script
 * error, 3 an invariant checker reported a violation, 4 the system or the
 * script could not be set up.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bsdvm.h"
#include "scenario.h"

static void __attribute__((noreturn))
usage(int status)
{
	FILE *f = status == 0 ? stdout : stderr;

	fprintf(f,
	    "usage: bsdvm [-cdqh] [-n npages] script|-\n"
	    "\n"
	    "Run a bsdvm scenario script (\"-\": standard input) against a\n"
	    "fresh system of simulated physical memory.\n"
	    "\n"
	    "  -n npages  physical frames of the system (default 16384)\n"
	    "  -q         quiet: print only the output of print commands\n"
	    "             (echo, read, mincore, procstat, vmstat, info,\n"
	    "             hostread, hostsize, file_read, objsize, physread,\n"
	    "             swapctl)\n"
	    "  -c         run the invariant checkers after every command;\n"
	    "             exit 3 at the first violation\n"
	    "  -d         run the page daemon thread (by default pages are\n"
	    "             reclaimed only when an allocation needs a frame,\n"
	    "             so every run pages the same way)\n"
	    "  -h         this help\n"
	    "\n"
	    "Host files a script makes (file) live in a private directory,\n"
	    "$TMPDIR/bsdvm.XXXXXX, removed with them when the run ends.\n"
	    "\n"
	    "Exit status: 0 ok, 1 an expect failed, 2 usage or script error,\n"
	    "3 invariant violation, 4 setup failure.\n"
	    "The scenario language is described in docs/cli.md.\n");
	exit(status);
}

/*
 * parse_npages: a positive frame count, decimal or 0x hex.
 * => returns 0 and *out, or -1.
 */
static int
parse_npages(const char *str, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (str[0] < '0' || str[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(str, &end, 0);
	if (errno != 0 || *end != '\0' || v == 0)
		return -1;
	*out = v;
	return 0;
}

int
main(int argc, char *argv[])
{
	struct scenario_opts o;
	int ch, status;

	scenario_opts_init(&o);
	o.err = stderr;
	while ((ch = getopt(argc, argv, "cdqhn:")) != -1) {
		switch (ch) {
		case 'c':
			o.check = 1;
			break;
		case 'd':
			o.pdaemon = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'n':
			if (parse_npages(optarg, &o.npages) != 0) {
				fprintf(stderr, "bsdvm: bad -n value '%s'\n",
				    optarg);
				usage(SCENARIO_SYNTAX);
			}
			break;
		case 'h':
			usage(0);
		default:
			usage(SCENARIO_SYNTAX);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage(SCENARIO_SYNTAX);

	status = scenario_run_file(argv[0], stdout, &o);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "bsdvm: error writing output\n");
		if (status == SCENARIO_OK)
			status = SCENARIO_FATAL;
	}
	return status;
}
