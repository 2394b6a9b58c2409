# dosecurate — the two set-up commands are `make demo` and `make test`.
# Both install the Debian packages they need (once), build, and run.

# python3-numpy gives /usr/bin/python3 NumPy 1.x, for the pickle fixtures' numpy-1 round trips.
SYSTEM_PACKAGES := libarchive-dev libisal-dev libhdf5-dev libxml2-dev libopenblas-dev pkg-config python3-numpy tar gzip
# Debian's PyTorch (1.13) and h5py for /usr/bin/python3: the PyTorch adapter's tests (python/, docs/python.md)
# and the benchmarks' layer references. Nothing installs PyTorch from PyPI.
TORCH_PACKAGES := python3-torch python3-h5py
SWIFT ?= swift
# XCTest only: Swift Testing would close the run with a "0 tests" line.
SWIFT_TEST_FLAGS ?= --disable-swift-testing
DEMO_WORKSPACE ?= demo-workspace

.PHONY: deps test-deps python-deps bench-deps build test demo bench gamma-reference clean reference-records protocols \
        fuzz-build fuzz fuzz-smoke report-screenshot view-screenshot

# Installs the Debian packages among $(1) that are missing: one `apt-get update`, then one install,
# skipped entirely when every package is present.
define apt-install
	@missing=""; \
	for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y $$missing; \
	fi
endef

deps:
	$(call apt-install,$(SYSTEM_PACKAGES))

# What `make test` needs from Debian, in one go (one apt-get update).
test-deps:
	$(call apt-install,$(SYSTEM_PACKAGES) $(TORCH_PACKAGES))

# Python packages the tests use (numpy, jsonschema, h5py for the HDF5 cache), installed only when missing.
python-deps:
	@python3 -c "import numpy, jsonschema, h5py" 2>/dev/null || python3 -m pip install --quiet numpy jsonschema h5py \
	  || python3 -m pip install --quiet --break-system-packages numpy jsonschema h5py

build: deps
	$(SWIFT) build

test: test-deps python-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test $(SWIFT_TEST_FLAGS)

# `dosecurate demo` starts from an empty folder: the previous demo's workspace is removed first.
demo: deps
	$(SWIFT) build -c release --product dosecurate
	rm -rf "$(DEMO_WORKSPACE)"
	"$$($(SWIFT) build -c release --show-bin-path)/dosecurate" demo --workspace "$(DEMO_WORKSPACE)"

# What a user sees: the demo's evaluation report photographed by headless Chromium (run `make demo`
# first). docs/reports.md shows such a picture.
REPORT_SCREENSHOT ?= $(DEMO_WORKSPACE)/report-screenshot.png
report-screenshot:
	$(call apt-install,chromium)
	@page=$$(ls -d "$(DEMO_WORKSPACE)"/reports/evaluation-*/index.html 2>/dev/null | head -1); \
	if [ -z "$$page" ]; then echo "no report in $(DEMO_WORKSPACE)/reports: run make demo first" >&2; exit 2; fi; \
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,3200 \
	  --screenshot="$(REPORT_SCREENSHOT)" "file://$$(realpath "$$page")" 2>/dev/null; \
	echo "screenshot of $$page: $(REPORT_SCREENSHOT)"

# The case viewer photographed by headless Chromium: a full-size phantom with swapped femur labels
# (so the audit panel has a finding) viewed by the release build, then opened in three states through
# the page's URL fragment (headless Chromium cannot click). --dump-dom checks that the script decoded
# the sheets (data-viewer="ready") and went where the fragment said. docs/viewer.md shows the pictures.
VIEW_DIR ?= view-screenshot
VIEW_CHROMIUM := chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --virtual-time-budget=30000
view-screenshot: deps
	$(call apt-install,chromium)
	$(SWIFT) build -c release --product dosecurate
	@set -e; bin="$$($(SWIFT) build -c release --show-bin-path)/dosecurate"; \
	rm -rf "$(VIEW_DIR)"; mkdir -p "$(VIEW_DIR)"; \
	"$$bin" phantoms "$(VIEW_DIR)/cohort" --cases 0 --defects femur_swap --size full --quiet; \
	case=$$(find "$(VIEW_DIR)/cohort" -name '*.npz' | sort | head -1); \
	"$$bin" view "$$case" -o "$(VIEW_DIR)/view.html"; \
	page="file://$$(realpath "$(VIEW_DIR)/view.html")"; \
	$(VIEW_CHROMIUM) --dump-dom "$$page#plane=sagittal&slice=120" 2>/dev/null > "$(VIEW_DIR)/dom.html"; \
	grep -q 'data-viewer="ready"' "$(VIEW_DIR)/dom.html" || { echo "the viewer's script did not draw: see $(VIEW_DIR)/dom.html" >&2; exit 1; }; \
	grep -q 'sagittal 120 of 0–299' "$(VIEW_DIR)/dom.html" || { echo "the fragment did not select sagittal 120: see $(VIEW_DIR)/dom.html" >&2; exit 1; }; \
	for shot in "axial:" "coronal:#plane=coronal" "sagittal:#plane=sagittal&dose=off&hide=Bowel"; do \
	  name=$${shot%%:*}; \
	  $(VIEW_CHROMIUM) --window-size=1400,1000 --screenshot="$(VIEW_DIR)/$$name.png" "$$page$${shot#*:}" 2>/dev/null; \
	  echo "$(VIEW_DIR)/$$name.png"; \
	done

# The benchmarks' references: SciPy (audit, distance transform), pymedphys 0.41 with numba (gamma)
# and Debian's PyTorch for /usr/bin/python3 (the engine's layers).
bench-deps: python-deps
	$(call apt-install,$(SYSTEM_PACKAGES) $(TORCH_PACKAGES) chromium)
	@python3 -c "import scipy, pymedphys, numba" 2>/dev/null || python3 -m pip install --quiet scipy pymedphys==0.41.0 numba \
	  || python3 -m pip install --quiet --break-system-packages scipy pymedphys==0.41.0 numba

bench: bench-deps
	$(SWIFT) build -c release --product dosecurate
	$(SWIFT) build -c release --product dosecurate-bench
	"$$($(SWIFT) build -c release --show-bin-path)/dosecurate-bench"

# Re-runs pymedphys on every case of the hard gamma benchmark (tens of minutes) and rewrites
# Benchmarks/gamma_hard_pymedphys.json, which `make bench` reads instead of re-running it.
gamma-reference: bench-deps
	$(SWIFT) build -c release --product dosecurate
	$(SWIFT) build -c release --product dosecurate-bench
	"$$($(SWIFT) build -c release --show-bin-path)/dosecurate-bench" gamma --remeasure

# Rewrites audits/ and datasets/ (the reference cohort's records) after a deliberate change.
reference-records: deps
	$(SWIFT) build -c release --product dosecurate
	./scripts/reference-records.sh "$$($(SWIFT) build -c release --show-bin-path)/dosecurate"

# Re-embeds protocols/*.json (the shipped acceptance protocols) in the Dosimetry module after an edit.
protocols:
	./scripts/embed-protocols.sh

# Coverage-guided fuzzing of the untrusted-input parsers (docs/fuzzing.md): one libFuzzer binary
# built with AddressSanitizer in its own scratch folder, every harness run FUZZ_SECONDS in turn.
# FUZZ_HARNESSES=pickle (a space-separated list) runs a subset. The working corpus, crash inputs
# and logs stay in $(FUZZ_SCRATCH)/ between runs.
FUZZ_SECONDS ?= 600
FUZZ_HARNESSES ?=
FUZZ_SCRATCH ?= $(CURDIR)/.build-fuzz
# -enable-testing: the npy-header harness drives NumpyFormat's internal member reader (@testable).
# lld: gold stops with an internal error on the sanitized link.
FUZZ_BUILD_FLAGS := --package-path Fuzz --scratch-path "$(FUZZ_SCRATCH)" -c release --product dosecurate-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing -Xswiftc -use-ld=lld

fuzz-build: deps
	$(SWIFT) build $(FUZZ_BUILD_FLAGS)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_WORK="$(FUZZ_SCRATCH)" ./Fuzz/run-fuzz.sh \
	  "$$($(SWIFT) build $(FUZZ_BUILD_FLAGS) --show-bin-path)/dosecurate-fuzz" $(FUZZ_HARNESSES)

# CI: every harness for 20 s (the build takes most of the time).
fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=20 FUZZ_EXTRA_FLAGS=-seed=1

clean:
	rm -rf .build $(DEMO_WORKSPACE) $(VIEW_DIR)
