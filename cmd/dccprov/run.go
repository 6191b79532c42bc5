package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/store"
)

func runRun(ctx context.Context, e *env, args []string) (err error) {
	fs := e.newFlagSet("run")
	var outDir string
	fs.StringVar(&outDir, "o", "", "write the outputs into `DIR` (created, mode 0700)")
	replace := fs.Bool("replace", false, "replace the outputs of an earlier run in DIR (swapped in whole)")
	var in inputFlags
	in.register(fs)
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	file, err := e.one(pos, "FILE")
	if err != nil {
		return err
	}
	if err := checkInputFile(file); err != nil {
		return err
	}
	if outDir == "" {
		return usageErr("run needs -o DIR, the folder to write the outputs into")
	}
	cfg, err := e.loadInputConfig(&in)
	if err != nil {
		return err
	}
	bar := e.progress()
	defer bar.Close()
	cfg.Progress = bar.orNil()
	out, err := provision.CreateOutDir(outDir, *replace)
	if err != nil {
		return &exitError{2, err}
	}
	defer out.Close() // drops the outputs unless committed
	newStore, err := prepareStore(e.g.store)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, e.g.store)
	if err != nil {
		return err
	}
	if newStore {
		e.log.Info().Str("store", e.g.store).Msg("created a new store: no earlier run is recorded there")
	}
	defer func() {
		if cerr := st.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("closing the store: %w", cerr)
		}
	}()
	b, err := provision.Run(ctx, file, out, st, cfg)
	bar.Close() // the bar's last line ends before the summary
	switch {
	case errors.Is(err, store.ErrConcurrentRun):
		return fmt.Errorf("another dccprov command recorded in %s at the same time, so nothing was written; run again", e.g.store)
	case err != nil:
		return err
	}
	e.logResult(b.Summary)
	// forms: made by this run; reprinted: of earlier runs, still awaiting
	// signature; pending_forms: every form of DIR/forms awaiting signature.
	e.log.Info().Str("dir", outDir).Int("forms", len(b.Forms)).Int("reprinted_forms", len(b.Pending)).
		Int("pending_forms", len(b.Forms)+len(b.Pending)).Int("absent", len(b.Absent)).Msg("wrote outputs")
	if e.g.json {
		// The report is the one just published in DIR.
		if err := copyFile(e.stdout, filepath.Join(outDir, "report.json")); err != nil {
			return fmt.Errorf("writing report: %w", err)
		}
	}
	if !e.human() {
		// No plain summary: each form is a log record instead.
		for _, f := range b.Forms {
			e.log.Info().Str("form", f.Ref).Int("requests", f.Requests).Msg("form to sign")
		}
		for _, f := range b.Pending {
			e.log.Info().Str("form", f.Ref).Int("requests", f.Requests).Msg("form still awaiting signature, printed again")
		}
	} else {
		if newStore {
			fmt.Fprintf(e.stderr, "store: %s (new: no earlier run was recorded there)\n", e.g.store)
		} else {
			fmt.Fprintf(e.stderr, "store: %s\n", e.g.store)
		}
		printSummary(e, b.Summary)
		// At most summaryForms lines: a national run makes hundreds.
		var lines []string
		for _, f := range b.Forms {
			lines = append(lines, fmt.Sprintf("  form %s: %d request(s) to sign → %s", f.Ref, f.Requests,
				filepath.Join(outDir, "forms", f.Ref+".pdf")))
		}
		for _, f := range b.Pending {
			lines = append(lines, fmt.Sprintf("  form %s still awaiting signature (%d request(s), printed %s) → %s", f.Ref, f.Requests, f.Date,
				filepath.Join(outDir, "forms", f.Ref+".pdf")))
		}
		if len(lines) > 0 {
			fmt.Fprintf(e.stderr, "forms: %d new, %d still awaiting signature\n", len(b.Forms), len(b.Pending))
		}
		for i, l := range lines {
			if i == summaryForms {
				fmt.Fprintf(e.stderr, "  … and %d more: dccprov forms list\n", len(lines)-summaryForms)
				break
			}
			fmt.Fprintln(e.stderr, l)
		}
		if len(b.Absent) > 0 {
			fmt.Fprintf(e.stderr, "  %d person(s) of earlier runs are no longer in the list (see report.json \"absent\"; ldap apply --prune disables them)\n", len(b.Absent))
		}
		if n := len(provision.Refusals(b.People)); n > 0 {
			fmt.Fprintf(e.stderr, "  %d request(s) refused on signature forms (the referent sees why in corrections.xlsx; see report.json \"refusals\")\n", n)
		}
		fmt.Fprintf(e.stderr, "outputs in %s: accounts.csv, habilitations.csv, accounts.ldif, corrections.xlsx, report.json, summary.html, forms/, readiness/\n", outDir)
	}
	if b.Rejected() {
		return errRejected
	}
	return nil
}

// summaryForms is how many forms the terminal summary of a run lists.
const summaryForms = 10

// prepareStore reports whether the store at path is new, and then makes
// its folder (0700: it holds personal data), as for the per-user default
// whose folder may not exist yet.
func prepareStore(path string) (bool, error) {
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		return false, nil // store.Open says what is wrong with another error
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return false, &exitError{2, fmt.Errorf("creating the store's folder %s: %w", filepath.Dir(path), err)}
	}
	return true, nil
}

// copyFile copies the file at path to w.
func copyFile(w io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
