package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/dccprov/dccprov/provision"
)

// checkMemoryLimit is check's soft heap limit unless GOMEMLIMIT says
// otherwise: the collector then runs more often rather than let garbage
// double the heap of a national list (whose live data, the rows' keys and a
// workbook's shared strings, is some 150 MB for a million rows), so a
// million-row workbook is checked within 256 MiB. It is soft: a list that
// needs more gets more, at the cost of more collections. run, which keeps
// the people, has none.
const checkMemoryLimit = 200 << 20

func runCheck(ctx context.Context, e *env, args []string) error {
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(checkMemoryLimit))
	}
	fs := e.newFlagSet("check")
	var in inputFlags
	in.register(fs)
	corrections := fs.String("corrections", "", "write the corrections workbook to `PATH` (default NAME.corrections.xlsx here)")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	file, err := e.one(pos, "FILE")
	if err != nil {
		return err
	}
	cfg, err := e.loadInputConfig(&in)
	if err != nil {
		return err
	}
	bar := e.progress()
	defer bar.Close()
	cfg.Progress = bar.orNil()
	if err := checkInputFile(file); err != nil {
		return err
	}
	path := *corrections
	if path == "" {
		path = correctionsPath(file)
	}
	if sameFile(file, path) {
		return usageErr("--corrections %s is the list being checked; give another file name, the list itself is never overwritten", path)
	}
	// Fail before a long check, not after it with a temporary file's name.
	if dir := filepath.Dir(path); !isDir(dir) {
		return usageErr("--corrections %s: the folder %s does not exist; create it or give another path", path, dir)
	}
	// The list streams: the corrections workbook is written as rows come,
	// and published (renamed) only once the whole list is checked.
	var sum *provision.Summary
	var checkErr error
	err = provision.WriteFileAtomic(path, func(w io.Writer) error {
		sum, checkErr = provision.CheckFile(ctx, file, cfg, w, e.g.json)
		return checkErr
	})
	bar.Close() // the bar's last line ends before the summary
	if checkErr != nil {
		return checkErr
	}
	if err != nil {
		return fmt.Errorf("writing the corrections workbook: %w", err)
	}
	defer sum.Close()
	e.logResult(sum)
	e.log.Info().Str("file", path).Msg("wrote corrections workbook")
	if e.g.json {
		if err := sum.WriteReport(e.stdout); err != nil {
			return err
		}
	}
	printSummary(e, sum)
	if e.human() {
		fmt.Fprintf(e.stderr, "corrections workbook: %s\n", path)
	}
	if sum.Rejected() {
		return errRejected
	}
	return nil
}

// printAnnuaire says which extract the list was checked against; nothing
// personal: a file name, a date and counts.
func printAnnuaire(e *env, sum *provision.Summary) {
	a := sum.Annuaire
	if a == nil || !e.human() {
		return
	}
	name := a.File
	if a.Entry != "" {
		name += ":" + a.Entry
	}
	date := ""
	if a.Date != "" {
		date = " of " + a.Date
	}
	fmt.Fprintf(e.stderr, "Annuaire Santé extract %s%s: %d lines (%d columns, %s); %d of the list's %d identifiers found\n",
		name, date, a.Lines, a.Columns, a.Encoding, a.Found, a.Checked)
}

// checkInputFile reports, with file named as given, a staff list that is
// absent or not a regular file, before anything is read.
func checkInputFile(file string) error {
	fi, err := os.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: no such file", file)
	case err != nil:
		return fmt.Errorf("%s: %w", file, pathErr(err))
	case fi.IsDir():
		return fmt.Errorf("%s is a folder; give the staff list's file", file)
	case !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file; give the staff list's file", file)
	}
	return nil
}

// isDir reports whether dir exists and is a folder.
func isDir(dir string) bool {
	fi, err := os.Stat(dir)
	return err == nil && fi.IsDir()
}

// correctionsPath is the default corrections workbook of input: its base
// name without extension, plus .corrections.xlsx, in the current folder.
func correctionsPath(input string) string {
	base := filepath.Base(input)
	return strings.TrimSuffix(base, filepath.Ext(base)) + ".corrections.xlsx"
}

// inputFlags are the flags of the commands that read a staff list.
type inputFlags struct{ sheet, passwordFile, annuaire string }

func (f *inputFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.sheet, "sheet", "", "read the worksheet `NAME` (default: the one whose header is recognised)")
	fs.StringVar(&f.passwordFile, "password-file", "", "open a password-protected workbook with the password in `FILE`")
	fs.StringVar(&f.annuaire, "annuaire", "", "cross-check identifiers against the Annuaire Santé extract `FILE` (PS_LibreAcces_Personne_activite_*.txt, or its .zip)")
}

// loadInputConfig resolves the configuration of a command that reads a
// staff list, with its input flags applied.
func (e *env) loadInputConfig(f *inputFlags) (*provision.Config, error) {
	cfg, _, err := e.loadConfig()
	if err != nil {
		return nil, err
	}
	if f.sheet != "" {
		cfg.Sheet = f.sheet
	}
	if f.passwordFile != "" {
		if cfg.Password, err = readPassword(f.passwordFile); err != nil {
			return nil, err
		}
	}
	if f.annuaire != "" {
		cfg.Annuaire = f.annuaire
	}
	if cfg.Annuaire != "" {
		if err := checkAnnuaireFile(cfg.Annuaire); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

// checkAnnuaireFile reports an Annuaire Santé extract that is absent or
// not a regular file before the list is read; whether it is an extract,
// the check says when it opens it.
func checkAnnuaireFile(file string) error {
	const what = "give the PS_LibreAcces_Personne_activite extract of the Annuaire Santé (.txt or .zip), or no --annuaire"
	fi, err := os.Stat(file)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usageErr("annuaire %s: no such file; %s", file, what)
	case err != nil:
		return usageErr("annuaire %s: %v; %s", file, pathErr(err), what)
	case !fi.Mode().IsRegular():
		return usageErr("annuaire %s is not a regular file; %s", file, what)
	}
	return nil
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	fa, err := os.Stat(a)
	if err != nil {
		return false
	}
	fb, err := os.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}

// readPassword reads a workbook password from file: the first line, its
// line ending dropped. The password is never a flag value, nor logged.
func readPassword(file string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", usageErr("--password-file: %v", err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", usageErr("--password-file %s is empty; write the workbook password on its first line", file)
	}
	return line, nil
}

// logResult logs counts only: never a name, email, phone or identifier.
func (e *env) logResult(sum *provision.Summary) {
	in := sum.Input
	e.log.Info().Str("file", in.File).Str("format", in.Format).Str("sheet", in.Sheet).
		Int("header_row", in.HeaderRow).Int("read", sum.Rows.Read).
		Int("accepted", sum.Rows.Accepted).Int("rejected", sum.Rows.Rejected).
		Int("problems", sum.Problems).Msg("checked")
	if a := sum.Annuaire; a != nil {
		e.log.Info().Str("annuaire", a.File).Str("entry", a.Entry).Str("date", a.Date).Int("lines", a.Lines).
			Int("columns", a.Columns).Str("encoding", a.Encoding).Int("identifiers_checked", a.Checked).
			Int("identifiers_found", a.Found).Msg("cross-checked against the Annuaire Santé")
	}
}

// human reports whether stderr gets a human summary after the log: not
// with --json, whose report on stdout says it all, nor with --log-format
// json, where every line on stderr must be a JSON record for the audit
// pipeline (the counts are in the "checked" record).
func (e *env) human() bool { return !e.g.json && e.g.logFormat != "json" }

// printSummary writes the human summary to stderr (stdout stays for
// results), unless ![env.human]: the counts line, a tally per code (errors
// first, then by count; with --quiet errors only), and the first error
// cells. It names cells and codes with the catalogue's generic title,
// never the cell's value or the message quoting it: stderr ends up in
// logs, and the values are personal data, which are in the corrections
// workbook and the JSON report. The severities are the workbook's French
// words. It scales: a million-row list prints as many lines as a small one.
func printSummary(e *env, sum *provision.Summary) {
	if !e.human() {
		return
	}
	printAnnuaire(e, sum)
	r := sum
	w := e.stderr
	fmt.Fprintf(w, "%s: %d rows read (header on row %d", r.Input.File, r.Rows.Read, r.Input.HeaderRow)
	if r.Input.Sheet != "" {
		fmt.Fprintf(w, ", sheet %q", r.Input.Sheet)
	}
	fmt.Fprintf(w, "): %d accepted (%d with warnings), %d rejected\n", r.Rows.Accepted, r.Rows.WithWarnings, r.Rows.Rejected)
	type tally struct {
		code provision.Code
		n    int
	}
	var codes []tally
	for code, n := range sum.PerCode {
		if n > 0 && (!e.g.quiet || provision.Codes[code].Severity == provision.SeverityError) {
			codes = append(codes, tally{code, n})
		}
	}
	slices.SortFunc(codes, func(a, b tally) int {
		return cmp.Or(cmp.Compare(provision.Codes[a.code].Severity.Rank(), provision.Codes[b.code].Severity.Rank()), cmp.Compare(b.n, a.n), strings.Compare(string(a.code), string(b.code)))
	})
	if len(codes) > 0 {
		fmt.Fprintln(w, "problems per code:")
	}
	for _, t := range codes {
		fmt.Fprintf(w, "  %-13s %-30s %7d  %s\n", provision.Codes[t.code].Severity.Label(), t.code, t.n, provision.Codes[t.code].Title)
	}
	errs := 0
	for _, t := range codes {
		if provision.Codes[t.code].Severity == provision.SeverityError {
			errs += t.n
		}
	}
	first := sum.FirstErrors[:min(len(sum.FirstErrors), summaryCells)]
	if len(first) > 0 {
		fmt.Fprintf(w, "first error cells:\n")
	}
	for _, p := range first {
		where := p.Cell
		if where == "" {
			where = fmt.Sprintf("row %d", p.Row)
		}
		fmt.Fprintf(w, "  %-9s %-30s %s\n", where, p.Code, provision.Codes[p.Code].Title)
	}
	if hidden := errs - len(first); len(first) > 0 && hidden > 0 {
		fmt.Fprintf(w, "  … and %d more error(s): see the corrections workbook or --json\n", hidden)
	}
}

// summaryCells is how many error cells the terminal summary lists.
const summaryCells = 10
