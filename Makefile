# The two commands of the README: `make demo` and `make test`. Both install what is missing
# (Debian 12 packages) and build first.
#
#   make test        the whole suite: release build, then ASan+UBSan and TSan builds, the
#                    format check, and the fuzz targets for FUZZ_SECONDS each (what CI runs,
#                    through .ci/run)
#   make test-fast   the suite on the release build only (day-to-day development)
#   make demo        crawl the bundled demo site on 127.0.0.1
#   make install     build, then install acrawl, its man page and completions under PREFIX
#                    (/usr/local; DESTDIR is honoured)
#   make package     build, then $(BUILD)/acrawl_<version>_<arch>.deb (cpack)
MAKEFLAGS += --no-print-directory
BUILD ?= build
JOBS ?= $(shell nproc)
# Warnings are errors in every build make makes (development and CI), not in a plain cmake one.
CMAKE_FLAGS ?=
DEV_FLAGS = -DACRAWL_WERROR=ON
CTEST = ctest --output-on-failure -j$(JOBS) --timeout 900

.PHONY: all deps build test test-fast test-asan test-tsan test-fuzz demo bench format format-check clean \
	install package

all: build

deps:
	@scripts/install-deps.sh

# Build output goes to stderr so that `make demo` prints only records on stdout.
build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(DEV_FLAGS) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS) 1>&2

test-fast: build
	cd $(BUILD) && $(CTEST)

# libFuzzer targets (clang; ASan+UBSan) over the parsers, FUZZ_SECONDS each.
FUZZ_SECONDS ?= 20
test-fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACRAWL_FUZZ=ON $(DEV_FLAGS) >/dev/null
	@cmake --build build-fuzz -j$(JOBS)
	@scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

test-asan: deps
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DACRAWL_SANITIZE=address,undefined $(DEV_FLAGS) >/dev/null
	@cmake --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $(CTEST)

test-tsan: deps
	@cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DACRAWL_SANITIZE=thread $(DEV_FLAGS) >/dev/null
	@cmake --build build-tsan -j$(JOBS)
	cd build-tsan && TSAN_OPTIONS="halt_on_error=1 suppressions=$(CURDIR)/.ci/tsan.supp" $(CTEST)

test: test-fast format-check test-asan test-tsan test-fuzz

demo: build
	@scripts/demo.sh $(BUILD)

PREFIX ?= /usr/local
install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

package: build
	cd $(BUILD) && cpack -G DEB

format:
	@git ls-files --cached --others --exclude-standard '*.cpp' '*.hpp' | xargs clang-format -i

format-check: deps
	@git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
