# dccprov — see README.md. `make demo` and `make test` are the two commands
# a newcomer needs.
GO ?= go
FUZZTIME ?= 30s
FUZZMINIMIZE ?= 100x
OUT ?= out/demo
DEMO_DATE ?= 2026-01-15

# INSTALL_MISSING ends a recipe that listed in $$missing the Debian packages
# it lacks: as root with apt-get, it installs them non-interactively; else
# it says what to install and fails.
INSTALL_MISSING = if [ -n "$$missing" ]; then \
	echo "installing:$$missing"; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
	else \
		echo "please install:$$missing (Debian: sudo apt-get install$$missing)"; exit 1; \
	fi; \
fi

.PHONY: build install test check golden fuzz deps bench bench-deps demo samples clean

build:
	$(GO) build -trimpath -buildvcs=auto -o bin/dccprov ./cmd/dccprov

# install builds as build does (-trimpath, the VCS revision) and installs
# the binary into $(DESTDIR)$(PREFIX)/bin. `go install
# github.com/dccprov/dccprov/cmd/dccprov@latest` works too.
PREFIX ?= /usr/local
install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 bin/dccprov $(DESTDIR)$(PREFIX)/bin/dccprov

# demo: the whole batch on samples/ with the embedded defaults, into out/demo.
# Exit status 1 (some rows rejected: the sample has planted problems) is
# expected; 2 or 3 fails the demo.
DCCPROV = ./bin/dccprov
DEMO_FLAGS = --store $(OUT)/dccprov.db --date $(DEMO_DATE)
demo: build
	@rm -rf $(OUT) && mkdir -p $(OUT) && chmod 700 $(OUT)
	@echo "== dccprov template: the blank list for referents"
	$(DCCPROV) template -o $(OUT)/modele-liste.xlsx $(DEMO_FLAGS)
	@echo
	@echo "== dccprov check: what is wrong, row by row"
	$(DCCPROV) check samples/liste-personnels.xlsx --corrections $(OUT)/liste-personnels.corrections.xlsx $(DEMO_FLAGS) || [ $$? -eq 1 ]
	@echo
	@echo "== dccprov run: the whole batch"
	$(DCCPROV) run samples/liste-personnels.xlsx -o $(OUT)/run $(DEMO_FLAGS) || [ $$? -eq 1 ]
	@echo
	@echo "== dccprov forms list: forms awaiting the directors' signature"
	$(DCCPROV) forms list $(DEMO_FLAGS)
	@echo
	@echo "Look in $(OUT)/:"
	@echo "  run/accounts.csv, run/accounts.ldif, run/habilitations.csv   account import files"
	@echo "  run/forms/*.pdf                                              signature forms, one per establishment with requests awaiting signature"
	@echo "  run/corrections.xlsx                                         the list with problems highlighted, for the referent"
	@echo "  run/report.json, run/summary.html                            the report (open summary.html in a browser)"
	@echo "  run/readiness/*.pdf                                          each establishment's deployment readiness (dccprov readiness shows it)"
	@echo "  modele-liste.xlsx                                            the blank list to send to referents"
	@echo "Then: $(DCCPROV) forms sign REF --signer NAME $(DEMO_FLAGS), and run again into a new -o DIR, or with --replace"
	@echo "(forms still awaiting signature are printed again there; $(DCCPROV) forms print REF -o DIR prints any one; README: the signature loop)."

# test runs every test with the race detector, then, once more without it,
# the 100 000-row memory tests, and the phone fast path and the prefix
# routing table checked on every block of the numbering plan, and returned
# scans read at every skew of -6..+6 degrees (under -race they read 20 000
# rows, sample one block in 31 and every other skew, to stay fast).
test: deps
	$(GO) test -race -count=1 ./...
	$(GO) test -count=1 -run '^(TestReadXLSXMemory|TestCheckFileMemory|TestPhoneFastPath|TestPhonePrefixRouting)$$' ./provision
	$(GO) test -count=1 -run '^TestDecodeSkew$$' ./provision/scan

check:
	@test -z "$$(gofmt -l .)" || { gofmt -l .; echo "gofmt: run gofmt -w on the files above"; exit 1; }
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	@d="$$($(GO) fix -diff ./...)"; test -z "$$d" || { echo "$$d"; echo "go fix: run go fix ./... (a modernizer has something to apply)"; exit 1; }
	$(GO) mod tidy -diff

golden:
	$(GO) test ./provision ./cmd/dccprov -update

# fuzz runs every fuzz target of every package for FUZZTIME each (go test
# -fuzz takes one package and one target at a time, hence the loops).
# Minimizing each new input for go test's default 60 s left the workbook
# targets, whose seeds are whole workbooks, stuck minimizing: 21 inputs
# tried in 30 s instead of 300 000. FUZZMINIMIZE bounds it.
fuzz:
	@for p in ./provision ./provision/ldap ./provision/xlsx ./provision/xlsxwriter; do \
		for t in $$($(GO) test -list '^Fuzz' $$p | grep '^Fuzz'); do \
			echo "== $$p $$t"; \
			$(GO) test $$p -run='^$$' -fuzz="^$$t$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZE) || exit 1; \
		done; \
	done

# BenchmarkApply (LDAP, against a throwaway slapd and ldapadd) runs twice so
# that dccprov and ldapadd each go first once; it takes a few minutes.
# samples/bench then times dccprov against the encoding/csv floor, xlsx2csv
# and openpyxl on generated lists of BENCH_SIZES rows and prints one table
# with the goals (see its doc comment); the big lists go to a temp dir.
# BenchmarkDirectory cross-checks a 10 000-row list against a 2 000 000-line
# synthetic Annuaire Santé extract (some 800 MB, in a temp dir): the
# extract's reading rate against encoding/csv, and the heap and RSS it adds
# to the check (-v prints the ratio and the difference).
BENCH_SIZES ?= 100000,1000000
bench: deps bench-deps
	$(GO) test -run='^$$' -bench=. -skip='^(BenchmarkApply|BenchmarkDirectory)$$' -benchmem ./...
	$(GO) test -run='^$$' -bench='^BenchmarkApply$$' -benchtime=2x ./provision/ldap
	$(GO) test -run='^$$' -bench='^BenchmarkDirectory$$' -benchtime=2x -benchmem -v ./provision
	$(GO) run ./samples/bench -sizes $(BENCH_SIZES)

# bench-deps installs, only when missing, what samples/bench compares
# dccprov with: xlsx2csv, and openpyxl for Debian's /usr/bin/python3 (the
# python3 of PATH may be another). Non-interactive, like deps.
bench-deps:
	@missing=""; \
	command -v xlsx2csv >/dev/null 2>&1 || missing="$$missing xlsx2csv"; \
	/usr/bin/python3 -c 'import openpyxl' >/dev/null 2>&1 || missing="$$missing python3-openpyxl"; \
	$(INSTALL_MISSING)

samples:
	$(GO) run ./samples/gen -o samples/liste-personnels.xlsx

# deps installs, only when missing, the tools the tests use: a real slapd
# for LDAP, pdftotext and qpdf for the forms, LibreOffice to open the
# workbooks dccprov writes, headless Chromium to render summary.html.
# Non-interactive, for root on Debian; elsewhere it says what to install.
deps:
	@missing=""; \
	command -v slapd >/dev/null 2>&1 || test -x /usr/sbin/slapd || missing="$$missing slapd"; \
	command -v ldapadd >/dev/null 2>&1 || missing="$$missing ldap-utils"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v qpdf >/dev/null 2>&1 || missing="$$missing qpdf"; \
	command -v soffice >/dev/null 2>&1 || missing="$$missing libreoffice-calc-nogui"; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	$(INSTALL_MISSING)

clean:
	rm -rf bin out
