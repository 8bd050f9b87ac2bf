# The user's verbs. `make demo` and `make test` install what is missing,
# build, and run; everything else is for developers.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build test test-sanitize demo powercut fuzz bench clean target

all: build

deps:
	@sh scripts/deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# The whole suite twice: as built, then every host program (tools, simulator,
# harness, unit tests, the power-cut campaign) under ASan + UBSan in
# $(BUILD)-asan. Device images stay uninstrumented there, as on the device
# (cmake/ota8266.cmake, ota_device_lib). SANITIZE=0 skips the second pass.
SANITIZE ?= 1
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
ifneq ($(SANITIZE),0)
	$(MAKE) test-sanitize
endif

# The per-project workflow test builds the examples as the SDK does (no
# sanitizers there): it runs once, in the plain pass.
test-sanitize: deps
	cmake -S . -B $(BUILD)-asan -DOTA8266_SANITIZE=ON -DOTA8266_FUZZ=OFF $(CMAKE_FLAGS)
	cmake --build $(BUILD)-asan -j $(JOBS)
	cd $(BUILD)-asan && ctest --output-on-failure -j $(JOBS) -E '^workflow_'

demo: build
	sh scripts/demo.sh $(BUILD)

# Each libFuzzer target (fuzz/) for FUZZ_SECONDS with its seed corpus, built
# with clang into build-fuzz/; prints execs, exec/s and crashes per target.
FUZZ_SECONDS ?= 60
fuzz: deps
	$(MAKE) -C fuzz run OUT=$(CURDIR)/build-fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)

# The full power-cut campaign: every flash operation of each update scenario
# x every cut kind, plus nested cuts during recovery with a fresh seed (printed;
# POWERCUT_FLAGS='--seed S' replays it). `make test` runs a bounded one.
POWERCUT_FLAGS ?= --nested 200
powercut: build
	$(BUILD)/tests/powercut --stride 1 --jobs $(JOBS) $(POWERCUT_FLAGS)

# The portable core cross-compiled for the ESP8266's lx106 CPU (target/):
# libraries, size table, QEMU test programs, the real bootloader image.
target: build
	$(MAKE) -C target OUT=$(CURDIR)/$(BUILD)/target TOOL=$(CURDIR)/$(BUILD)/bin/ota8266

# The benchmark suite (docs/performance.md): an optimised build of its own in
# build-bench/, then bench/run.sh prints the table and writes
# bench/results.json and bench/results.png. BENCH_RUNS=N runs per figure.
BENCH_BUILD ?= build-bench
BENCH_JOBS ?= 2
bench:
	@sh scripts/deps.sh valgrind gnuplot-nox
	cmake -S . -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BENCH_BUILD) -j $(BENCH_JOBS)
	sh bench/run.sh $(BENCH_BUILD)

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BENCH_BUILD) build-fuzz demo
