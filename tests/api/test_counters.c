/*
 * test_counters.c: the vmstat counters (bvm_stats) move exactly as the
 * UVM fault cases say: a first touch is one zero-fill fault and one frame;
 * a copy-on-write write is one acow fault and one frame; a read of an
 * existing anon is case 1A; refused faults count as nomap/prot; frames
 * come back on munmap and destroy.
 */
#include "snapshot.h"

#define A0 0x40000000ULL

TEST(counters_system_figures)
{
	struct bvm_system *sys = tsys(300);
	struct bvm_stats st = tstats(sys);
	struct bvm_vmspace *vm;

	ASSERT_EQ(st.pagesize, 4096);
	ASSERT_EQ(st.npages, 300);
	ASSERT_EQ(st.wiredmax, 100);
	ASSERT_EQ(st.wired, 0);
	ASSERT_EQ(st.vmspaces, 0);
	ASSERT_EQ(st.map_entries, 0);
	ASSERT_EQ(st.amaps, 0);
	ASSERT_EQ(st.anons, 0);
	ASSERT_EQ(st.faults, 0);
	ASSERT_EQ(st.forks, 0);
	ASSERT_TRUE(st.free <= st.npages);
	ASSERT_TRUE(st.free + st.active + st.inactive + st.wired <= st.npages);
	vm = tvm(sys);
	ASSERT_EQ(tstats(sys).vmspaces, 1);
	bvm_vmspace_destroy(vm);
	ASSERT_EQ(tstats(sys).vmspaces, 0);
	bvm_system_destroy(sys);
}

/* One first-touch write: one fault, one zero fill, one frame. */
TEST(counters_first_touch_write)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;

	MAP(vm, A0, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	s0 = tstats(sys);
	ASSERT_OK(tpoke(vm, A0 + PG + 5, 1));
	s1 = tstats(sys);
	ASSERT_EQ(s1.faults, s0.faults + 1);
	ASSERT_EQ(s1.flt_zfill, s0.flt_zfill + 1);
	ASSERT_EQ(s1.flt_anon, s0.flt_anon);
	ASSERT_EQ(s1.flt_acow, s0.flt_acow);
	ASSERT_EQ(s1.flt_nomap, s0.flt_nomap);
	ASSERT_EQ(s1.flt_prot, s0.flt_prot);
	ASSERT_EQ(s1.flt_around, s0.flt_around);
	ASSERT_EQ(s1.free, s0.free - 1);
	ASSERT_EQ(s1.anons, s0.anons + 1);
	ASSERT_EQ(s1.pages_alloc, s0.pages_alloc + 1);
	ASSERT_EQ(s1.pmap_enter, s0.pmap_enter + 1);
	/* A second access to the same page: no fault. */
	ASSERT_OK(tpoke(vm, A0 + PG + 6, 2));
	ASSERT_EQ(tpeek(vm, A0 + PG + 5), 1);
	s0 = tstats(sys);
	ASSERT_EQ(s0.faults, s1.faults);
	ASSERT_EQ(s0.free, s1.free);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A first-touch read also zero-fills one frame (case 2, no object). */
TEST(counters_first_touch_read)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;

	MAP(vm, A0, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	s0 = tstats(sys);
	ASSERT_EQ(tpeek(vm, A0 + 3 * PG), 0);
	s1 = tstats(sys);
	ASSERT_EQ(s1.faults, s0.faults + 1);
	ASSERT_EQ(s1.flt_zfill, s0.flt_zfill + 1);
	ASSERT_EQ(s1.free, s0.free - 1);
	ASSERT_EQ(s1.anons, s0.anons + 1);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* N pages touched: N frames; munmap gives N back; destroy the rest. */
TEST(counters_frames_follow_pages)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm;
	struct bvm_stats s0, s1, s2;
	uint64_t i;

	s0 = tstats(sys);
	vm = tvm(sys);
	MAP(vm, A0, 16 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	MAP(vm, A0 + 32 * PG, 8 * PG, RW, ANONSHARED | BVM_MAP_FIXED);
	s1 = tstats(sys);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.map_entries, s0.map_entries + 2);
	ASSERT_EQ(s1.mmap_calls, s0.mmap_calls + 2);
	for (i = 0; i < 16; i++) {
		ASSERT_OK(tpoke(vm, A0 + i * PG, 1));
		ASSERT_EQ(tstats(sys).free, s1.free - (i + 1));
	}
	FILL(vm, A0 + 32 * PG, 8 * PG, 1);
	s2 = tstats(sys);
	ASSERT_EQ(s2.free, s1.free - 24);
	ASSERT_EQ(s2.anons, s1.anons + 24);
	ASSERT_EQ(s2.faults, s1.faults + 24);
	ASSERT_EQ(s2.flt_zfill, s1.flt_zfill + 24);
	ASSERT_EQ(s2.pages_alloc, s1.pages_alloc + 24);
	ASSERT_EQ(api_info(vm).resident, 24);
	/* munmap of 6 touched pages. */
	s1 = tstats(sys);
	ASSERT_OK(bvm_munmap(vm, A0 + 10 * PG, 6 * PG));
	s2 = tstats(sys);
	ASSERT_EQ(s2.free, s1.free + 6);
	ASSERT_EQ(s2.anons, s1.anons - 6);
	ASSERT_EQ(s2.pages_free, s1.pages_free + 6);
	ASSERT_EQ(s2.pmap_remove, s1.pmap_remove + 6);
	ASSERT_EQ(s2.munmap_calls, s1.munmap_calls + 1);
	ASSERT_EQ(api_info(vm).resident, 18);
	bvm_vmspace_destroy(vm);
	s2 = tstats(sys);
	ASSERT_EQ(s2.free, s0.free);
	ASSERT_EQ(s2.anons, s0.anons);
	ASSERT_EQ(s2.amaps, s0.amaps);
	ASSERT_EQ(s2.map_entries, s0.map_entries);
	ASSERT_EQ(s2.vmspaces, s0.vmspaces);
	ASSERT_EQ(s2.pages_alloc - s0.pages_alloc,
	    s2.pages_free - s0.pages_free);
	SYSCHECK(sys);
	bvm_system_destroy(sys);
}

/* After fork, a write by the parent is a copy-on-write fault (1B). */
TEST(counters_cow_write_after_fork)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_stats s0, s1;

	MAP(vm, A0, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, A0, 4 * PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	s0 = tstats(sys);
	ASSERT_OK(tpoke(vm, A0 + 2 * PG, 0x77));
	s1 = tstats(sys);
	ASSERT_EQ(s1.faults, s0.faults + 1);
	ASSERT_EQ(s1.flt_acow, s0.flt_acow + 1);
	ASSERT_EQ(s1.flt_zfill, s0.flt_zfill);
	ASSERT_EQ(s1.flt_amcopy, s0.flt_amcopy + 1);
	ASSERT_EQ(s1.free, s0.free - 1);
	ASSERT_EQ(s1.anons, s0.anons + 1);
	/* A second page: another acow, no new amap copy. */
	ASSERT_OK(tpoke(vm, A0 + 3 * PG, 0x78));
	s0 = tstats(sys);
	ASSERT_EQ(s0.faults, s1.faults + 1);
	ASSERT_EQ(s0.flt_acow, s1.flt_acow + 1);
	ASSERT_EQ(s0.flt_amcopy, s1.flt_amcopy);
	ASSERT_EQ(s0.free, s1.free - 1);
	VERIFY(child, A0 + 2 * PG, 2 * PG, 1);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* A read of an existing anon by the child is case 1A: no frame. */
TEST(counters_child_read_is_anon_fault)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_stats s0, s1;

	MAP(vm, A0, 4 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, A0, 4 * PG, 1);
	ASSERT_OK(bvm_madvise(vm, A0, 4 * PG, BVM_MADV_RANDOM));
	ASSERT_OK(bvm_fork(vm, &child));
	s0 = tstats(sys);
	ASSERT_EQ(tpeek(child, A0 + PG), api_pat(A0 + PG, 1));
	s1 = tstats(sys);
	ASSERT_EQ(s1.faults, s0.faults + 1);
	ASSERT_EQ(s1.flt_anon, s0.flt_anon + 1);
	ASSERT_EQ(s1.flt_acow, s0.flt_acow);
	ASSERT_EQ(s1.flt_zfill, s0.flt_zfill);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.anons, s0.anons);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Once the parent has its own copy, the child is the only user of the
 * old anon: its write takes the page over without copying. */
TEST(counters_last_reference_no_copy)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_stats s0, s1;

	MAP(vm, A0, PG, RW, ANONPRIV | BVM_MAP_FIXED);
	FILL(vm, A0, PG, 1);
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_OK(tpoke(vm, A0, 0x55));
	s0 = tstats(sys);
	ASSERT_OK(tpoke(child, A0 + 1, 0x66));
	s1 = tstats(sys);
	ASSERT_EQ(s1.flt_acow, s0.flt_acow);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_EQ(s1.anons, s0.anons);
	ASSERT_EQ(tpeek(vm, A0), 0x55);
	ASSERT_EQ(tpeek(vm, A0 + 1), api_pat(A0 + 1, 1));
	ASSERT_EQ(tpeek(child, A0), api_pat(A0, 1));
	ASSERT_EQ(tpeek(child, A0 + 1), 0x66);
	bvm_vmspace_destroy(child);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Refused faults: flt_nomap for unmapped, flt_prot for protection. */
TEST(counters_refused_faults)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;

	MAP(vm, A0, PG, RO, ANONPRIV | BVM_MAP_FIXED);
	s0 = tstats(sys);
	ASSERT_ERR(bvm_fault(vm, A0 + PG, BVM_PROT_READ, NULL), EFAULT);
	s1 = tstats(sys);
	ASSERT_EQ(s1.faults, s0.faults + 1);
	ASSERT_EQ(s1.flt_nomap, s0.flt_nomap + 1);
	ASSERT_EQ(s1.flt_prot, s0.flt_prot);
	ASSERT_EQ(s1.free, s0.free);
	ASSERT_ERR(bvm_fault(vm, A0, BVM_PROT_WRITE, NULL), EACCES);
	s0 = tstats(sys);
	ASSERT_EQ(s0.faults, s1.faults + 1);
	ASSERT_EQ(s0.flt_prot, s1.flt_prot + 1);
	ASSERT_EQ(s0.flt_nomap, s1.flt_nomap);
	ASSERT_EQ(s0.free, s1.free);
	ASSERT_EQ(s0.anons, s1.anons);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}

/* Call counters. */
TEST(counters_calls)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys), *child;
	struct bvm_stats s0, s1;
	uint64_t a;

	s0 = tstats(sys);
	a = MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	MAP(vm, 0, 4 * PG, RW, ANONPRIV);
	ASSERT_OK(bvm_mprotect(vm, a, PG, RO));
	ASSERT_OK(bvm_munmap(vm, a, PG));
	ASSERT_OK(bvm_fork(vm, &child));
	ASSERT_OK(bvm_fork(child, &child));
	s1 = tstats(sys);
	ASSERT_EQ(s1.mmap_calls, s0.mmap_calls + 2);
	ASSERT_EQ(s1.mprotect_calls, s0.mprotect_calls + 1);
	ASSERT_EQ(s1.munmap_calls, s0.munmap_calls + 1);
	ASSERT_EQ(s1.forks, s0.forks + 2);
	ASSERT_EQ(s1.vmspaces, s0.vmspaces + 2);
	ASSERT_EQ(s1.cow_now, s0.cow_now);
	bvm_system_destroy(sys);
}

/* Every zero-fill is a zeroed allocation, served pre-zeroed or not. */
TEST(counters_zeroed_allocations)
{
	struct bvm_system *sys = tsys(256);
	struct bvm_vmspace *vm = tvm(sys);
	struct bvm_stats s0, s1;
	uint64_t i;

	MAP(vm, A0, 8 * PG, RW, ANONPRIV | BVM_MAP_FIXED);
	s0 = tstats(sys);
	for (i = 0; i < 8; i++)
		ASSERT_OK(tpoke(vm, A0 + i * PG, 1));
	s1 = tstats(sys);
	ASSERT_EQ((s1.pga_zerohit + s1.pga_zeromiss) -
	    (s0.pga_zerohit + s0.pga_zeromiss), 8);
	ASSERT_TRUE(s1.zeropages <= s1.free);
	bvm_vmspace_destroy(vm);
	bvm_system_destroy(sys);
}
