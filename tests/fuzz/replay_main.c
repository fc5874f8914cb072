/*
 * replay_main.c: run a fuzz harness's LLVMFuzzerTestOneInput on files,
 * without libFuzzer, for ctest (make test) and the ASan build.
 *
 *   bvm_fuzz_X_replay PATH...
 *
 * Each PATH is a file or a directory; a directory's regular files are run
 * in name order.  Skipped: names starting with '.', README*, and *.pending
 * (crashes found by the fuzzer and not fixed yet).  A crash aborts, which
 * fails the test.  Exit status 0, or 1 if a path cannot be read.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int nrun, nskip;

static int
skipped(const char *name)
{
	size_t n = strlen(name);

	return name[0] == '.' || strncmp(name, "README", 6) == 0 ||
	    (n >= 8 && strcmp(name + n - 8, ".pending") == 0);
}

static int
run_file(const char *path)
{
	FILE *f;
	uint8_t *buf = NULL, *nb;
	size_t len = 0, cap = 0, n;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return 1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((nb = realloc(buf, cap)) == NULL) {
				fprintf(stderr, "%s: out of memory\n", path);
				free(buf);
				fclose(f);
				return 1;
			}
			buf = nb;
		}
		if ((n = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		fprintf(stderr, "%s: read error\n", path);
		free(buf);
		fclose(f);
		return 1;
	}
	fclose(f);
	fprintf(stderr, "replay %s (%zu bytes)\n", path, len);
	/* An exact-size copy, so ASan sees overreads of the input. */
	nb = malloc(len ? len : 1);
	if (nb == NULL) {
		free(buf);
		return 1;
	}
	if (len)
		memcpy(nb, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(nb, len);
	free(nb);
	nrun++;
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
run_path(const char *path)
{
	struct stat sb;
	struct dirent *de;
	DIR *d;
	char **names = NULL, **nn, full[4096];
	size_t n = 0, cap = 0, i;
	int rv = 0;

	if (stat(path, &sb) != 0) {
		perror(path);
		return 1;
	}
	if (!S_ISDIR(sb.st_mode))
		return run_file(path);
	if ((d = opendir(path)) == NULL) {
		perror(path);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (skipped(de->d_name)) {
			if (de->d_name[0] != '.')
				nskip++;
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nn = realloc(names, cap * sizeof(*names))) ==
			    NULL) {
				rv = 1;
				break;
			}
			names = nn;
		}
		if ((names[n] = strdup(de->d_name)) == NULL) {
			rv = 1;
			break;
		}
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		if (rv == 0) {
			snprintf(full, sizeof(full), "%s/%s", path, names[i]);
			if (stat(full, &sb) == 0 && S_ISREG(sb.st_mode))
				rv = run_file(full);
		}
		free(names[i]);
	}
	free(names);
	return rv;
}

int
main(int argc, char **argv)
{
	int i, rv = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s file|dir...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (run_path(argv[i]) != 0)
			rv = 1;
	printf("%s: %d inputs replayed, %d pending skipped\n", argv[0], nrun,
	    nskip);
	return rv;
}
