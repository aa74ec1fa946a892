# rtv: the user's entry point. `make verify` and `make test` do all the set-up on a fresh Debian machine:
# they install missing Debian packages (as root; otherwise they print the exact apt-get command and stop),
# configure, build and run.
#
#   make verify        build, run every claim (full size), write out/report.md, report.json and figures
#   make verify-quick  the same at quick size (what CI runs inside `make test`)
#   make test          build and run the GoogleTest suite and the quick harness (ctest)
#   make build         configure and build only
#   make bench         build and run the benchmarks
#   make sanitize      ASan + UBSan build (build-sanitize) running the whole ctest suite, quick harness included
#   make mutants       mutation check: run plausible library bugs (verify/mutants/mutants.txt) through the quick
#                      harness and tabulate which claims catch each (MUTANTS=M3,M7: a subset); ~45 min, not in test
#   make figures       regenerate the README's figures (figures/readme/) from a full run
#   make fuzz          libFuzzer targets for every file reader (tests/fuzz/README.md), built with clang-14 in
#                      FUZZ_BUILD (default build-fuzz), each run for FUZZ_RUNS executions (default 10^6); prints
#                      executions, coverage and findings, fails on a finding. make fuzz-short: FUZZ_TIME s each (CI)
#   make install       cmake --install into PREFIX (default /usr/local)
#   make clean         remove the build tree and out/
#
# Variables: BUILD (build folder, default build), OUT (report folder, default out), SEED, THREADS, FUZZ_RUNS,
# FUZZ_TIME, FUZZ_JOBS, FUZZ_BUILD,
# PORTABLE=1 (no -march=native), JOBS (parallel build jobs, default: number of cores), PREFIX.

BUILD   ?= build
OUT     ?= out
SEED    ?= 2301
THREADS ?= 0
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
PREFIX  ?= /usr/local
PORTABLE ?= 0

# (libxml2-utils: xmllint, with which the ctest junit_schema validates the JUnit files.)
DEB_PACKAGES := g++ make cmake pkg-config libeigen3-dev libfftw3-dev libboost-dev libboost-math-dev \
  libboost-program-options-dev libboost-iostreams-dev libboost-filesystem-dev libgtest-dev \
  libgnuplot-iostream-dev gnuplot-nox fonts-dejavu-core nlohmann-json3-dev libzip-dev \
  libxml2-utils pybind11-dev python3-pybind11 python3-dev

CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=Release -DRTV_PORTABLE=$(if $(filter 1 ON yes,$(PORTABLE)),ON,OFF)

.PHONY: all deps configure build verify verify-quick test sanitize bench mutants fuzz fuzz-short fuzz-build figures install clean

all: build

# Install what is missing (only what is missing: a no-op on a prepared machine).
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "rtv: installing missing Debian packages:" $$missing; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing \
	      || { echo "rtv: apt-get failed (see above)"; exit 1; }; \
	  else \
	    echo "rtv: missing Debian packages. Install them with:"; \
	    echo "  sudo apt-get install -y $$missing"; \
	    exit 1; \
	  fi; \
	fi

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

configure: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

verify: build
	$(BUILD)/bin/rtv-verify --seed $(SEED) --threads $(THREADS) --out $(OUT)

verify-quick: build
	$(BUILD)/bin/rtv-verify --quick --seed $(SEED) --threads $(THREADS) --out $(OUT)-quick

# The Python module's tests (ctest `python`, examples/python) run with Debian's Python and need these.
TEST_DEB_PACKAGES := python3-numpy python3-pytest python3-torch python3-matplotlib

test: build
	@$(call require_debs,$(TEST_DEB_PACKAGES),make test runs the Python module's tests)
	cd $(BUILD) && ctest --output-on-failure --no-tests=error -j $(JOBS)

# make sanitize: the same ctest suite as make test (GoogleTest, the quick harness with 1 and 2 threads, the consumer
# projects, the Python module's tests) in a separate build folder with RTV_SANITIZE=ON (cmake/sanitize.cmake: gcc
# -fsanitize=address,undefined -fno-sanitize-recover=all -O2 -g). Any ASan or UBSan report fails its test.
#   SANITIZE_BUILD   build folder (default build-sanitize)
#   SANITIZE_CMAKE   extra configure flags, e.g. -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
#   SANITIZE_CTEST   extra ctest arguments, e.g. SANITIZE_CTEST='-E python' (README "Sanitizers")
SANITIZE_BUILD ?= build-sanitize
SANITIZE_CMAKE ?=
SANITIZE_CTEST ?=

sanitize: deps
	@$(call require_debs,$(TEST_DEB_PACKAGES),make sanitize runs the Python module's tests)
	cmake -S . -B $(SANITIZE_BUILD) $(CMAKE_FLAGS) -DRTV_SANITIZE=ON $(SANITIZE_CMAKE)
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	cd $(SANITIZE_BUILD) && ASAN_OPTIONS=$${ASAN_OPTIONS:-check_initialization_order=1:strict_init_order=1} \
	  UBSAN_OPTIONS=$${UBSAN_OPTIONS:-print_stacktrace=1} \
	  ctest --output-on-failure --no-tests=error -j $(JOBS) $(SANITIZE_CTEST)

# $(call require_debs,PACKAGES,WHY): install the missing Debian packages of an optional target (as root), or print
# the exact install line and fail. One shell command; used by bench and mutants.
define require_debs
missing=$$(for p in $(1); do \
    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; done); \
if [ -n "$$missing" ]; then \
  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
  else echo "rtv: $(2): sudo apt-get install -y $$missing"; exit 1; fi; \
fi
endef

# make bench compares with scikit-image (Debian's python3-skimage) side by side; the comparison needs it,
# the rest of rtv does not.
BENCH_DEB_PACKAGES := python3-numpy python3-skimage python3-torch

bench: build
	@$(call require_debs,$(BENCH_DEB_PACKAGES),make bench compares with scikit-image and PyTorch)
	/usr/bin/python3 bench/compare_skimage.py --rtv-bench $(BUILD)/bin/rtv_bench
	/usr/bin/python3 bench/compare_torch.py --rtv-bench $(BUILD)/bin/rtv_bench --export-task $(BUILD)/bench-train-task
	@if [ -d $(BUILD)/python/rtv ]; then /usr/bin/python3 bench/compare_python.py --bench-exe $(BUILD)/bin/rtv_bench_python --pythonpath $(BUILD)/python --work $(BUILD)/bench-python; else echo "make bench: the Python module is not built (RTV_PYTHON off): compare_python.py skipped"; fi

# make mutants (verify/mutants/README.md) builds its own copy of the tree in $(BUILD)/mutants; python3 (standard
# library only) does the exact text substitutions and the table.
MUTANTS ?=
MUTANTS_DEB_PACKAGES := python3

mutants: deps
	@$(call require_debs,$(MUTANTS_DEB_PACKAGES),make mutants needs python3)
	bash verify/mutants/run_mutants.sh --build $(BUILD)/mutants --seed $(SEED) --jobs $(JOBS) --portable $(PORTABLE) \
	  $(if $(MUTANTS),--only $(MUTANTS))

# make fuzz / fuzz-short (tests/fuzz/README.md): a separate build folder with Debian's clang-14 and its libFuzzer
# runtime, the library instrumented too (ASan + UBSan, UBSan fatal); only the fuzz targets are built (RTV_FUZZ makes
# tests/ build nothing else). FUZZ_JOBS targets run side by side. The replay of the corpus and of every crash
# input is part of make test (ctest fuzz_replay_*), with any compiler.
FUZZ_BUILD ?= build-fuzz
FUZZ_RUNS  ?= 1000000
FUZZ_TIME  ?= 20
FUZZ_JOBS  ?= 2
FUZZ_DEB_PACKAGES := clang-14 libclang-rt-14-dev zlib1g-dev
FUZZ_CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRTV_PORTABLE=$(if $(filter 1 ON yes,$(PORTABLE)),ON,OFF) \
  -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_C_COMPILER=clang-14 -DRTV_FUZZ=ON -DRTV_WITH_PLOT=OFF \
  -DRTV_BUILD_BENCH=OFF -DRTV_PYTHON=OFF \
  "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

fuzz-build: deps
	@$(call require_debs,$(FUZZ_DEB_PACKAGES),make fuzz builds libFuzzer targets with clang-14)
	cmake -S . -B $(FUZZ_BUILD) $(FUZZ_CMAKE_FLAGS)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target rtv_fuzzers

fuzz: fuzz-build
	bash tests/fuzz/run_fuzz.sh --build $(FUZZ_BUILD) --runs $(FUZZ_RUNS) --jobs $(FUZZ_JOBS)

fuzz-short: fuzz-build
	bash tests/fuzz/run_fuzz.sh --build $(FUZZ_BUILD) --time $(FUZZ_TIME) --jobs $(FUZZ_JOBS)

figures: verify
	mkdir -p figures/readme
	cp $(OUT)/figures/*.png figures/readme/

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(OUT) $(OUT)-quick $(FUZZ_BUILD) $(SANITIZE_BUILD)
