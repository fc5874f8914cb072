# bsdvm: a BSD (UVM) virtual-memory system in user space.
#
#   make run     build, and run the seed scenario (the main job)
#   make test    build, and run every test (unit, API, stress, CLI)
#
# Other targets: asan (tests under ASan+UBSan), tsan (threaded tests under
# ThreadSanitizer), clang (build with clang, -Werror, and run the tests),
# release-test (the tests against the release build: -O3, BVM_DEBUG=OFF),
# bench (benchmark vs the host kernel, release build), install (the release
# build, PREFIX=/usr/local), fuzz (libFuzzer harnesses with clang, FUZZ_SECONDS
# each; see tests/fuzz/README), clean.  Debian packages the build needs are
# installed by scripts/deps.sh (as root) or named for you to install.

BUILD   ?= build
JOBS    ?= 2
PREFIX  ?= /usr/local
CMAKE   := cmake

.PHONY: all deps build run test asan tsan clang release-test bench install \
	clean difftest fuzz fuzz-build

all: build

deps:
	@sh scripts/deps.sh

$(BUILD)/CMakeCache.txt: | deps
	@$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Debug \
	    -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null

build: deps $(BUILD)/CMakeCache.txt
	@$(CMAKE) --build $(BUILD) -j$(JOBS) -- --no-print-directory

run: build
	./$(BUILD)/bsdvm examples/seed.bvm

test: build
	cd $(BUILD) && ctest --output-on-failure

build-asan/CMakeCache.txt: | deps
	@$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug \
	    -DBVM_SANITIZE=ON >/dev/null

asan: deps build-asan/CMakeCache.txt
	@$(CMAKE) --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    ctest --output-on-failure

build-tsan/CMakeCache.txt: | deps
	@$(CMAKE) -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug \
	    -DBVM_TSAN=ON >/dev/null

tsan: deps build-tsan/CMakeCache.txt
	@$(CMAKE) --build build-tsan -j$(JOBS) --target bvm_tests
	TSAN_OPTIONS=halt_on_error=1 ./build-tsan/bvm_tests thread

build-clang/CMakeCache.txt:
	@sh scripts/deps.sh clang
	@CC=clang $(CMAKE) -S . -B build-clang -DCMAKE_BUILD_TYPE=Debug >/dev/null

clang: build-clang/CMakeCache.txt
	@$(CMAKE) --build build-clang -j$(JOBS) -- --no-print-directory
	./build-clang/bvm_tests

build-release/CMakeCache.txt: | deps
	@$(CMAKE) -S . -B build-release -DCMAKE_BUILD_TYPE=Release \
	    -DBVM_DEBUG=OFF >/dev/null

bench: deps build-release/CMakeCache.txt
	@$(CMAKE) --build build-release -j$(JOBS) --target bvm_bench
	./build-release/bvm_bench $(BENCHFLAGS)

release-test: deps build-release/CMakeCache.txt
	@$(CMAKE) --build build-release -j$(JOBS) -- --no-print-directory
	cd build-release && ctest --output-on-failure

# libFuzzer harnesses (tests/fuzz): built with clang straight from the
# sources, run FUZZ_SECONDS each.  New inputs go to build-fuzz/corpus/H,
# crashes to build-fuzz/artifacts/H/.
FUZZ_SECONDS  ?= 60
FUZZ_HARNESS  ?= scenario api
FUZZ_FLAGS    ?=
FUZZ_CC       ?= clang
FUZZ_CFLAGS   := -std=gnu11 -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wno-unused-parameter -fno-strict-aliasing \
	-DBVM_DEBUG=1 -Iinclude -Isrc -Itools
FUZZ_LIBSRC   := $(wildcard src/*.c)

build-fuzz/fuzz_scenario: tests/fuzz/fuzz_scenario.c tools/scenario.c \
    $(FUZZ_LIBSRC) $(wildcard src/*.h include/*.h tools/*.h)
	@sh scripts/deps.sh clang
	@mkdir -p build-fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) $$(pkg-config --cflags libbsd-overlay) \
	    -o $@ tests/fuzz/fuzz_scenario.c tools/scenario.c $(FUZZ_LIBSRC) \
	    $$(pkg-config --libs libbsd-overlay) -lpthread

build-fuzz/fuzz_api: tests/fuzz/fuzz_api.c \
    $(FUZZ_LIBSRC) $(wildcard src/*.h include/*.h)
	@sh scripts/deps.sh clang
	@mkdir -p build-fuzz
	$(FUZZ_CC) $(FUZZ_CFLAGS) $$(pkg-config --cflags libbsd-overlay) \
	    -o $@ tests/fuzz/fuzz_api.c $(FUZZ_LIBSRC) \
	    $$(pkg-config --libs libbsd-overlay) -lpthread

fuzz-build: $(FUZZ_HARNESS:%=build-fuzz/fuzz_%)

fuzz: fuzz-build
	@sh tests/fuzz/run_fuzz.sh build-fuzz $(FUZZ_SECONDS) \
	    "$(FUZZ_FLAGS)" $(FUZZ_HARNESS)

# The differential tester against the host kernel: N random sequences.
N       ?= 100000
SEED    ?= 1
difftest: deps $(BUILD)/CMakeCache.txt
	@$(CMAKE) --build $(BUILD) -j$(JOBS) --target bvm_difftest -- --no-print-directory
	./$(BUILD)/bvm_difftest -n $(N) -s $(SEED)

install: deps build-release/CMakeCache.txt
	@$(CMAKE) --build build-release -j$(JOBS) --target bsdvm_static \
	    bsdvm_shared bsdvm -- --no-print-directory
	$(CMAKE) --install build-release --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) build-asan build-tsan build-clang build-release \
	    build-fuzz
