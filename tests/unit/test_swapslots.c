/*
 * test_swapslots.c: swap slot allocation (uvm_swap_alloc/uvm_swap_free)
 * against a plain bitmap model: random allocations, with and without
 * lessok, and frees, over areas whose sizes are not multiples of 64.  An
 * allocation must return free slots only; without lessok it must succeed
 * whenever a whole run exists; with lessok a short run only when no whole
 * one exists, and then the longest there is.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

#include "uvm.h"
#include "uvm_swap.h"

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* the longest free run of the model */
static int
model_longest(const unsigned char *used, int n)
{
	int i, run = 0, best = 0;

	for (i = 0; i < n; i++) {
		run = used[i] ? 0 : run + 1;
		if (run > best)
			best = run;
	}
	return best;
}

TEST(swapslots_alloc_against_model)
{
	static const int sizes[] = { 16, 63, 65, 262, 1000, 4099 };
	char path[64];
	uint64_t seed = 0x243f6a8885a308d3ULL;
	size_t k;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		/* the first area of a system: slots from 1 on */
		int n = sizes[k], fd, i, base = 1, op;
		unsigned char *used = calloc((size_t)n, 1);
		int *starts = calloc((size_t)n, sizeof(int));
		int *lens = calloc((size_t)n, sizeof(int));
		int nruns = 0;
		struct bvm_system *sys = tsys(64);
		struct bvm_swapent se;

		ASSERT_TRUE(used != NULL && starts != NULL && lens != NULL);
		snprintf(path, sizeof(path), "/tmp/bvm_slots.%d.%d", (int)getpid(),
		    n);
		fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		ASSERT_TRUE(fd >= 0);
		ASSERT_EQ(ftruncate(fd, (off_t)n * BVM_PAGE_SIZE), 0);
		close(fd);
		ASSERT_OK(bvm_swapon(sys, path, 0));
		for (op = 0; op < 20000; op++) {
			if (nruns > 0 && rnd(&seed) % 3 == 0) {
				/* free a random allocation, or its tail */
				int r = (int)(rnd(&seed) % (uint64_t)nruns);
				int cut = (int)(rnd(&seed) % (uint64_t)lens[r]);

				uvm_swap_free(sys, base + starts[r] + cut,
				    lens[r] - cut);
				for (i = cut; i < lens[r]; i++)
					used[starts[r] + i] = 0;
				lens[r] = cut;
				if (cut == 0) {
					starts[r] = starts[nruns - 1];
					lens[r] = lens[--nruns];
				}
				continue;
			}
			{
				int want = 1 + (int)(rnd(&seed) %
				    (uint64_t)(n < 256 ? 64 : 256));
				bool lessok = rnd(&seed) & 1;
				int got = want, slot, longest, idx;

				longest = model_longest(used, n);
				slot = uvm_swap_alloc(sys, &got, lessok);
				if (slot == 0) {
					if (lessok)
						ASSERT_EQ(longest, 0);
					else
						ASSERT_TRUE(longest < want);
					continue;
				}
				idx = slot - base;
				ASSERT_TRUE(idx >= 0 && idx + got <= n);
				for (i = idx; i < idx + got; i++) {
					ASSERT_EQ(used[i], 0);
					used[i] = 1;
				}
				if (longest >= want)
					ASSERT_EQ(got, want);
				else {
					ASSERT_TRUE(lessok);
					ASSERT_EQ(got, longest);
				}
				starts[nruns] = idx;
				lens[nruns++] = got;
			}
		}
		ASSERT_OK(bvm_swapstats(sys, &se, 1, NULL));
		{
			uint64_t inuse = 0;

			for (i = 0; i < n; i++)
				inuse += used[i];
			ASSERT_EQ(se.inuse, inuse);
		}
		for (i = 0; i < nruns; i++)
			uvm_swap_free(sys, base + starts[i], lens[i]);
		ASSERT_OK(bvm_swapoff(sys, path));
		bvm_system_destroy(sys);
		unlink(path);
		free(used);
		free(starts);
		free(lens);
	}
}

/*
 * The search itself, over random bitmaps and rotors, against a brute
 * force: the first whole run at or after the rotor's word (wrapping), or
 * with lessok the longest run.
 */
TEST(swapslots_findrun_brute_force)
{
	uint64_t seed = 0x13198a2e03707344ULL, map[80];
	struct swapdev sd;
	int iter;

	for (iter = 0; iter < 200000; iter++) {
		int n = 1 + (int)(rnd(&seed) % 5000), nw = (n + 63) / 64;
		int want = 1 + (int)(rnd(&seed) % 300), i, got = 0, r;
		int longest = 0, run = 0, density = (int)(rnd(&seed) % 8);
		bool lessok = rnd(&seed) & 1, whole;

		if (nw > 80)
			continue;
		memset(&sd, 0, sizeof(sd));
		memset(map, 0, sizeof(map));
		sd.sw_nslots = n;
		sd.sw_map = map;
		sd.sw_rotor = (int)(rnd(&seed) % (uint64_t)n);
		for (i = 0; i < nw * 64; i++)
			if (i >= n || (int)(rnd(&seed) % 16) < density)
				map[i / 64] |= 1ULL << (i % 64);
		for (i = 0; i < n; i++) {
			bool used = (map[i / 64] & (1ULL << (i % 64))) != 0;

			sd.sw_inuse += used;
			run = used ? 0 : run + 1;
			if (run > longest)
				longest = run;
		}
		whole = longest >= want;
		r = uvm_swap_findrun(&sd, want, lessok, &got);
		if (r < 0) {
			if (whole || (lessok && longest > 0))
				bvm_test_fail(__FILE__, __LINE__, "n %d want %d "
				    "rotor %d longest %d: no run found", n, want,
				    sd.sw_rotor, longest);
			continue;
		}
		for (i = r; i < r + got; i++)
			ASSERT_TRUE(i < n && !(map[i / 64] & (1ULL << (i % 64))));
		ASSERT_EQ(got, whole ? want : longest);
		ASSERT_TRUE(whole || lessok);
	}
}
