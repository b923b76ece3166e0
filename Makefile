# weft: the two set-up commands are `make run` and `make test`; every target
# first installs what is missing (`make deps`).
MAKEFLAGS += --no-print-directory
JOBS ?= $(shell nproc)
WORKSPACE ?= workspace
FUZZ_SECONDS ?= 60

.PHONY: all deps build test run bench fuzz format clean

all: build

deps:
	@scripts/deps.sh

# The release build: build/weft.
build: deps
	@scripts/ui.sh build
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DWEFT_TESTS=OFF >/dev/null
	@cmake --build build -j$(JOBS) --target weft

# Every test, in an AddressSanitizer + UndefinedBehaviorSanitizer build.
test: deps
	@scripts/ui.sh build
	@cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DWEFT_SANITIZE=ON -DWEFT_TEST_MODULES=ON >/dev/null
	@cmake --build build-test -j$(JOBS)
	@cd build-test && ctest --output-on-failure -j$(JOBS)

# Serve ./workspace (a new one gets the sample datasets) on
# http://127.0.0.1:8080 until Ctrl-C.
run: build
	@exec ./build/weft serve --workspace $(WORKSPACE)

bench: build
	@scripts/deps.sh bench
	@bench/run.sh

fuzz:
	@scripts/deps.sh fuzz
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DWEFT_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j$(JOBS)
	@scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-test build-fuzz build-bench
