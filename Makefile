# Puente — build, test and demo on a fresh Debian machine with the Swift toolchain.
SYSTEM_PACKAGES := libsqlite3-dev libssl-dev zlib1g-dev pkg-config python3 python3-jsonschema unzip age
SWIFT ?= swift

.PHONY: demo test build release deps clean sanitize asan tsan fuzz bench mutate sql-owner

deps:
	@missing=""; \
	for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Missing system packages:$$missing"; \
	    echo "Run: sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build

# The release binary carries the Swift runtime and Foundation inside it (docs/design.md, note 40):
# it starts about 5 ms faster and needs only the system libraries on the machine it runs on.
release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product puente

demo: build
	$(SWIFT) run puente demo

test: deps sql-owner
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Store/ is the one owner of SQL: no other library file imports GRDB, and without that import
# (the package builds with MemberImportVisibility) a file cannot run a statement (docs/design.md, note 63).
sql-owner:
	@outside=$$(grep -rlE '^(@testable |@_spi\([A-Za-z]+\) )?import GRDB' Sources --include='*.swift' | grep -v '^Sources/PuenteKit/Store/'); \
	if [ -n "$$outside" ]; then echo "GRDB is imported outside Sources/PuenteKit/Store/:"; echo "$$outside"; exit 1; fi

# The whole suite under AddressSanitizer (with LeakSanitizer), then under ThreadSanitizer,
# each in its own build folder. Suppressions name the few leaks of code Puente does not own.
sanitize: asan tsan

asan: deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build-asan
	LSAN_OPTIONS=suppressions=$(CURDIR)/Sanitizers/lsan.supp:print_suppressions=0 \
	  $(SWIFT) test --skip-build --sanitize=address --scratch-path .build-asan

tsan: deps
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build-tsan
	TSAN_OPTIONS=halt_on_error=1 $(SWIFT) test --skip-build --sanitize=thread --scratch-path .build-tsan

# libFuzzer on every target for FUZZ_SECONDS each (default 600): see Fuzz/run.sh.
FUZZ_SECONDS ?= 600
fuzz: deps
	Fuzz/run.sh $(FUZZ_SECONDS)

# Every figure of docs/performance.md (Puente, the peer engines, this machine's limits):
# see Benchmarks/run.sh. BENCH_SIZES=10000 for a shorter run.
BENCH_SIZES ?= 10000 100000
bench: deps
	Benchmarks/run.sh $(BENCH_SIZES)

# Each one-line mutant of Mutation/mutants.txt applied alone in a scratch copy, with the tests
# that must catch it: killed or survived (Mutation/mutate.py; MUTANTS="id …" for some only).
mutate: deps
	python3 Mutation/mutate.py $(MUTANTS)

clean:
	rm -rf .build .build-asan .build-tsan .build-fuzz .build-mutate Benchmarks/.build bench-results
