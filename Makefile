# dosecurate — the two set-up commands are `make demo` and `make test`.
# Both install the Debian packages they need (once), build, and run.

# python3-numpy gives /usr/bin/python3 NumPy 1.x, for the pickle fixtures' numpy-1 round trips.
SYSTEM_PACKAGES := libarchive-dev libisal-dev libhdf5-dev libxml2-dev libopenblas-dev pkg-config python3-numpy tar gzip
SWIFT ?= swift
# XCTest only: Swift Testing would close the run with a "0 tests" line.
SWIFT_TEST_FLAGS ?= --disable-swift-testing
DEMO_WORKSPACE ?= demo-workspace

.PHONY: deps python-deps bench-deps build test demo bench clean fixtures reference-records protocols

# One `apt-get update`, then install, skipped entirely when every package is present.
deps:
	@missing=""; \
	for p in $(SYSTEM_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y $$missing; \
	fi

# Python packages the tests use (numpy, jsonschema, h5py for the HDF5 cache), installed only when missing.
python-deps:
	@python3 -c "import numpy, jsonschema, h5py" 2>/dev/null || python3 -m pip install --quiet numpy jsonschema h5py \
	  || python3 -m pip install --quiet --break-system-packages numpy jsonschema h5py

build: deps
	$(SWIFT) build

test: deps python-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test $(SWIFT_TEST_FLAGS)

# `dosecurate demo` starts from an empty folder: the previous demo's workspace is removed first.
demo: deps
	$(SWIFT) build -c release --product dosecurate
	rm -rf "$(DEMO_WORKSPACE)"
	"$$($(SWIFT) build -c release --show-bin-path)/dosecurate" demo --workspace "$(DEMO_WORKSPACE)"

# The benchmarks' references: SciPy (audit, distance transform), pymedphys 0.41 with numba (gamma)
# and Debian's PyTorch for /usr/bin/python3 (the engine's layers).
bench-deps: python-deps
	@dpkg-query -W -f='$${Status}' python3-torch 2>/dev/null | grep -q "install ok installed" || { \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y python3-torch; }
	@python3 -c "import scipy, pymedphys, numba" 2>/dev/null || python3 -m pip install --quiet scipy pymedphys==0.41.0 numba \
	  || python3 -m pip install --quiet --break-system-packages scipy pymedphys==0.41.0 numba

bench: deps bench-deps
	$(SWIFT) build -c release --product dosecurate
	$(SWIFT) build -c release --product dosecurate-bench
	"$$($(SWIFT) build -c release --show-bin-path)/dosecurate-bench"

# Rewrites audits/ and datasets/ (the reference cohort's records) after a deliberate change.
reference-records: deps
	$(SWIFT) build -c release --product dosecurate
	./scripts/reference-records.sh "$$($(SWIFT) build -c release --show-bin-path)/dosecurate"

# Re-embeds protocols/*.json (the shipped acceptance protocols) in the Dosimetry module after an edit.
protocols:
	./scripts/embed-protocols.sh

clean:
	rm -rf .build $(DEMO_WORKSPACE)
