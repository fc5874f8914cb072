/*
 * scenario.h: the bsdvm scenario-script interpreter.
 *
 * A scenario is a text of commands, one a line, that create address spaces,
 * map, touch, fork and unmap memory through the public API and print what
 * happened (docs/cli.md describes the language).  The interpreter is written
 * to be driven by a fuzzer: any input is safe, every loop and allocation is
 * bounded, and every object it created is freed before it returns.
 *
 * Host files: a script may create files (the `file` command), but only in a
 * private temporary directory ($TMPDIR or /tmp, bsdvm.XXXXXX) that the run
 * creates on first use and removes, with every file in it, before it
 * returns.  File names cannot hold '/' or "..", and descriptors given to the
 * library are only those the script opened there (any other number is
 * passed on as a descriptor that is never open).
 */
#ifndef BVM_SCENARIO_H
#define BVM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses of a run (also the CLI's exit statuses). */
#define SCENARIO_OK       0 /* every command ran, every expectation held */
#define SCENARIO_EXPECT   1 /* an expect, expect-bytes or expect-stat failed */
#define SCENARIO_SYNTAX   2 /* unknown command, malformed line, bad usage */
#define SCENARIO_CHECK    3 /* an invariant checker reported a violation */
#define SCENARIO_FATAL    4 /* the system could not be created, I/O error */

/* Bounds of the interpreter: inputs beyond them are syntax errors. */
#define SCENARIO_LINE_MAX   4096      /* bytes in one line */
#define SCENARIO_TOKENS_MAX 16        /* words in one line */
#define SCENARIO_NAME_MAX   31        /* characters in a name */
#define SCENARIO_VMSPACES   32        /* live vmspaces */
#define SCENARIO_VARS       64        /* variables */
#define SCENARIO_IO_MAX     65536     /* bytes of one read */
#define SCENARIO_FILL_MAX   (16u << 20) /* bytes of one fill */
#define SCENARIO_MINCORE_MAX 65536    /* pages of one mincore */
#define SCENARIO_FILE_MAX   (16u << 20) /* bytes of a script file */
#define SCENARIO_FILES      16        /* host files of one run */
#define SCENARIO_NPAGES_MAX (1u << 18) /* frames a `system` may ask for */
#define SCENARIO_FDS        32        /* open descriptors of one run */
#define SCENARIO_OBJECTS    32        /* live object handles */
#define SCENARIO_HOSTFILE_MAX (16u << 20) /* bytes of a file made by `file`,
                                         and the reach of hostwrite and
                                         hosttruncate */

struct scenario_opts {
	uint64_t npages; /* physical frames of the system; 0: default */
	int quiet;       /* print only the output of print commands */
	int check;       /* run the invariant checkers after every command */
	int pdaemon;     /* run the page daemon thread (default: none, so
	                    that paging happens only when an allocation
	                    needs it, the same way every run) */
	FILE *err;       /* diagnostics; NULL: the output stream */
	const char *name; /* script name in diagnostics; NULL: none */
};

/* scenario_opts_init: the defaults (default frames, verbose, no checks). */
void scenario_opts_init(struct scenario_opts *o);

/*
 * scenario_run_buffer: run the script text[0..len) on a fresh system.
 * => text need not be NUL-terminated and may hold any bytes.
 * => out receives the output (NULL: discarded); o may be NULL for defaults.
 * => returns a SCENARIO_* status; every vmspace and the system are
 *    destroyed before it returns, whatever happened.
 */
int scenario_run_buffer(const char *text, size_t len, FILE *out,
    const struct scenario_opts *o);

/*
 * scenario_run_file: run the script in the file path ("-": standard input).
 * => returns a SCENARIO_* status; SCENARIO_FATAL if the file cannot be read
 *    or is larger than SCENARIO_FILE_MAX.
 */
int scenario_run_file(const char *path, FILE *out,
    const struct scenario_opts *o);

#endif /* BVM_SCENARIO_H */
