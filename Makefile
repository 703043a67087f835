# Tagsight — `make help` lists the targets.
# Two commands matter: `make run` (set up, build, start the app) and
# `make test` (set up, run every test). Both work on a fresh Debian/Ubuntu.

SHELL := /bin/bash
GO ?= go
GOBIN := $(shell $(GO) env GOPATH)/bin
WAILS ?= $(GOBIN)/wails
VERSION ?= $(shell cat VERSION 2>/dev/null || echo dev)
# webkit2gtk 4.1-only systems (Ubuntu 24.04, Debian 13) need -tags webkit2_41;
# scripts/setup.sh writes the tag it found to build/.webkit-tags.
WEBKIT_TAGS := $(shell cat build/.webkit-tags 2>/dev/null)
# Build tags every Go build, vet and test of Tagsight needs: sqlite_fts5
# compiles SQLite's FTS5 (the text index); backend/store refuses to compile
# without it. Scripts that run go pass the same tag.
GOTAGS := sqlite_fts5
LDFLAGS := -X main.version=$(VERSION)
ORT_DIR := $(CURDIR)/third_party/onnxruntime
export TAGSIGHT_ORT_LIB ?= $(firstword $(wildcard $(ORT_DIR)/linux-x64/libonnxruntime.so $(ORT_DIR)/linux-arm64/libonnxruntime.so))
# PP-OCRv4 weights for the OCR tests and benchmark (scripts/fetch-ocr-models.sh)
export TAGSIGHT_OCR_MODELS ?= $(CURDIR)/third_party/ocr-models

.DEFAULT_GOAL := help

.PHONY: help
help: ## list targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-16s %s\n", $$1, $$2}'

.PHONY: setup
setup: ## install everything this machine needs (apt, wails CLI, npm, ONNX Runtime); safe to re-run
	@bash scripts/setup.sh

.PHONY: cli
cli: ui-if-node ## build the headless CLI to build/bin/tagsight (with the UI built in when Node.js is present)
	$(GO) build -tags "$(GOTAGS)" -ldflags "$(LDFLAGS)" -o build/bin/tagsight ./cmd/tagsight

.PHONY: frontend
frontend: ## build the Svelte UI into frontend/dist
	cd frontend && ([ -d node_modules ] || npm ci) && npm run build

# The UI is embedded in the CLI (tagsight serve) from frontend/dist: rebuild it
# when its sources changed. Without Node the CLI still builds, and serve says
# it has no UI.
FRONTEND_SRC := $(shell find frontend/src frontend/public -type f 2>/dev/null) frontend/index.html frontend/package.json frontend/package-lock.json frontend/vite.config.ts frontend/svelte.config.js
frontend/dist/index.html: $(FRONTEND_SRC)
	cd frontend && ([ -d node_modules ] || npm ci) && npm run build

.PHONY: ui-if-node
ui-if-node:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory frontend/dist/index.html; \
	else echo "make cli: no Node.js here, so the CLI is built without the UI (tagsight serve serves the API only; run make setup first)"; fi

.PHONY: types
types: ## regenerate the UI's TypeScript types from the Go types (frontend/src/lib/api/models.gen.ts)
	$(GO) run -tags "$(GOTAGS)" ./cmd/gen-ts

.PHONY: app
app: ## build the desktop app to build/bin/tagsight-desktop
	$(WAILS) build -ldflags "$(LDFLAGS)" -tags "$(strip $(WEBKIT_TAGS) $(GOTAGS))"

.PHONY: build
build: cli app ## build the CLI and the desktop app

.PHONY: run
run: setup cli app ## set up if needed, build, and start the desktop app
	./build/bin/tagsight-desktop

.PHONY: test
test: setup test-go test-frontend test-e2e test-desktop test-dist ## set up if needed and run every test

.PHONY: test-go
test-go: ## Go unit and integration tests (race detector on); as root, the scanner's package again as an unprivileged user
	$(GO) vet -tags "$(GOTAGS)" ./...
	$(GO) vet -tags "e2e $(GOTAGS)" ./e2e
	$(GO) test -tags "$(GOTAGS)" -race -count=1 ./...
	GOTAGS="$(GOTAGS)" bash scripts/test-nonroot.sh

.PHONY: test-frontend
test-frontend: ## frontend component tests (vitest) and type checks
	cd frontend && npm test && npm run check

.PHONY: test-e2e
test-e2e: cli-race ## the real UI in headless Chromium against `tagsight serve` (built as `make cli` does, with -race)
	TAGSIGHT_BIN=$(CURDIR)/build/bin/tagsight-race $(GO) test -tags "e2e $(GOTAGS)" -count=1 ./e2e

# The server the e2e tests drive is where serve's races would be: it is
# built with the race detector, apart from `make cli`'s normal build.
.PHONY: cli-race
cli-race: ui-if-node
	$(GO) build -tags "$(GOTAGS)" -race -ldflags "$(LDFLAGS)" -o build/bin/tagsight-race ./cmd/tagsight

SMOKE_LIB := $(CURDIR)/build/smoke-library

.PHONY: test-desktop
test-desktop: app cli ## the real window under Xvfb: open a library, search "red", check and screenshot
	bash scripts/desktop-library.sh $(SMOKE_LIB)
	LIBRARY=$(SMOKE_LIB) QUERY=red EXPECT_PIXEL=314,180,#e61414 bash scripts/smoke-desktop.sh build/desktop-smoke.png
	LIBRARY=$(SMOKE_LIB) QUERY=type:video EXPECT_PIXEL=314,180,#e61414 bash scripts/smoke-desktop.sh build/desktop-smoke-video.png

.PHONY: screenshots
screenshots: frontend app cli ## write the README's screenshots to docs/screenshots/
	TAGSIGHT_SCREENSHOTS=$(CURDIR)/docs/screenshots TAGSIGHT_BIN=$(CURDIR)/build/bin/tagsight $(GO) test -tags "e2e $(GOTAGS)" -count=1 ./e2e
	bash scripts/desktop-library.sh $(SMOKE_LIB)
	LIBRARY=$(SMOKE_LIB) QUERY=red bash scripts/smoke-desktop.sh docs/screenshots/desktop-search.png

.PHONY: dist-linux
dist-linux: setup ## Linux release packages: dist/*.deb, dist/*.tar.gz (webkit2gtk 4.0, and 4.1 where its -dev is installed)
	bash scripts/dist-linux.sh

.PHONY: dist-windows
dist-windows: setup ## Windows installer cross-built with mingw-w64: dist/Tagsight-$(VERSION)-windows-amd64-installer.exe
	bash scripts/dist-windows.sh

.PHONY: test-dist
test-dist: dist-linux dist-windows ## build the packages, check their contents and lint the release workflow
	bash scripts/test-dist.sh
	bash scripts/test-fetch-ffmpeg.sh

.PHONY: fuzz
fuzz: ## run each fuzz target for a short while (FUZZTIME=30s) and keep what it found new in the package's testdata/fuzz
	@cache=$$($(GO) env GOCACHE)/fuzz; \
	for t in $$(grep -rhoE '^func Fuzz[A-Za-z0-9_]+' --include=*_test.go backend | sed 's/func //' | sort -u); do \
	  pkg=$$(grep -rlE "^func $$t\(" --include=*_test.go backend | head -1 | xargs dirname); \
	  echo "== $$t ($$pkg)"; $(GO) test -tags "$(GOTAGS)" -run='^$$' -fuzz="^$$t\$$" -fuzztime=$${FUZZTIME:-30s} ./$$pkg || exit 1; \
	  mod=$$($(GO) list -tags "$(GOTAGS)" ./$$pkg); \
	  if [ -d "$$cache/$$mod/$$t" ]; then \
	    mkdir -p $$pkg/testdata/fuzz/$$t && cp -n "$$cache/$$mod/$$t"/* $$pkg/testdata/fuzz/$$t/ 2>/dev/null; \
	    echo "   corpus: $$(ls $$pkg/testdata/fuzz/$$t | wc -l) inputs kept in $$pkg/testdata/fuzz/$$t"; \
	  fi; \
	done

.PHONY: bench
bench: setup frontend ## run the benchmarks; figures are printed and written under docs/bench/
	bash scripts/setup.sh --bench
	$(GO) run -tags "$(GOTAGS)" ./cmd/tagsight-bench -out docs/bench
	$(GO) run -tags "$(GOTAGS)" ./cmd/knn-bench -out docs/bench
	$(GO) run -tags "$(GOTAGS)" ./cmd/ui-bench -out docs/bench

.PHONY: clean
clean: ## remove build outputs
	rm -rf build/bin dist frontend/dist/assets frontend/dist/index.html
