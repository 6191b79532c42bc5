package main

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/store"
)

// formsCommands are the subcommands of `dccprov forms`. It is never written.
var formsCommands = []struct {
	name  string
	usage string
	run   func(ctx context.Context, e *env, args []string) error
}{
	{"list", "forms list [--status pending|signed|rejected] [--json]", runFormsList},
	{"sign", "forms sign REF --signer NAME [--refuse LINE[,LINE…] --reason TEXT] [--date YYYY-MM-DD]", runFormsSign},
	{"reject", "forms reject REF --reason TEXT", runFormsReject},
	{"print", "forms print REF -o DIR", runFormsPrint},
	{"receive", "forms receive FILE… [--sign [--signer NAME]] [--ca-file PEM] [--date YYYY-MM-DD]", runFormsReceive},
}

func runForms(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		for _, c := range formsCommands {
			if c.name == args[0] {
				return c.run(ctx, e, args[1:])
			}
		}
	}
	var names, usages []string
	for _, c := range formsCommands {
		names = append(names, c.name)
		usages = append(usages, "  dccprov "+c.usage)
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help") {
		fmt.Fprintf(e.stderr, "Usage:\n%s\nExamples:\n  dccprov forms list --status pending\n  dccprov forms sign F-440000172-20260115-ed0e97 --signer 'Dr Jeanne Martin'\n  dccprov forms sign F-440000172-20260115-ed0e97 --signer 'Dr Jeanne Martin' --refuse 2,5 --reason 'Pas de RCP dans le service'\n  dccprov forms reject F-440000172-20260115-ed0e97 --reason 'Demande non justifiée'\n  dccprov forms print F-440000172-20260115-ed0e97 -o reimpression\n  dccprov forms receive scan.pdf --sign --signer 'Dr Jeanne Martin'\nRun 'dccprov forms SUBCOMMAND -h' for its flags.\n", strings.Join(usages, "\n"))
		return flag.ErrHelp
	}
	msg := "expected a subcommand:"
	if len(args) > 0 {
		msg = fmt.Sprintf("unknown subcommand %q%s; expected one of:", args[0], didYouMean(args[0], names, "forms "))
	}
	return usageErr("%s\n%s", msg, strings.Join(usages, "\n"))
}

// openStore opens the store of --store. A store that does not exist yet is
// not created here: these commands only read or update what `run` wrote.
func (e *env) openStore(ctx context.Context) (*store.Store, error) {
	if _, err := os.Stat(e.g.store); errors.Is(err, fs.ErrNotExist) {
		return nil, usageErr("no store at %s: run 'dccprov run' first, or name the store with --store PATH, DCCPROV_STORE or store: in the config", e.g.store)
	}
	return store.Open(ctx, e.g.store)
}

// formStatuses are the statuses a form has in the store, for `forms list
// --status`. It is never written.
var formStatuses = []string{store.FormPending, store.FormSigned, store.FormRejected}

func runFormsList(ctx context.Context, e *env, args []string) error {
	fs := e.newFlagSet("forms list")
	status := fs.String("status", "", "list only the forms with status `S`: pending, signed or rejected")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("forms list takes no argument, got %q", pos)
	}
	if *status != "" && !slices.Contains(formStatuses, *status) {
		return usageErr("--status must be pending, signed or rejected, not %q", *status)
	}
	if _, _, err := e.loadConfig(); err != nil {
		return err
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	forms, err := st.Forms(ctx, *status)
	if err != nil {
		return err
	}
	if e.g.json {
		if forms == nil {
			forms = []store.Form{}
		}
		return writeJSON(e.stdout, forms)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REF\tFINESS\tESTABLISHMENT\tREQUESTS\tREFUSED\tSTATUS\tCREATED\tDECIDED\tSIGNER")
	for _, f := range forms {
		// DECIDED is the date of the signature or of the refusal. REFUSED
		// counts the lines the signer refused: some of a signed form, all
		// of a rejected one.
		signer, decided, refused := f.Signer, f.SignedOn, "-"
		switch f.Status {
		case store.FormSigned:
			refused = strconv.Itoa(f.Refused)
		case store.FormRejected:
			// A form signed with every line refused keeps its signer.
			signer, decided, refused = cmp.Or(f.Signer, "-"), f.RejectedOn, strconv.Itoa(f.Requests)
		case store.FormPending:
			signer, decided = "-", "-"
		}
		if decided == "" {
			decided = "-" // rejected by a dccprov that kept no date
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", f.Ref, f.FINESS, f.Establishment, f.Requests, refused, f.Status, f.CreatedOn, decided, signer)
	}
	return tw.Flush()
}

func runFormsSign(ctx context.Context, e *env, args []string) error {
	fs := e.newFlagSet("forms sign")
	signer := fs.String("signer", "", "`NAME` and quality of who signed the form, as written on it")
	refuse := fs.String("refuse", "", "the request `LINE`s the signer refused, as numbered on the form: 2 or 2,5")
	reason := fs.String("reason", "", "why the lines of --refuse were refused (`TEXT`, for the referent)")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	ref, err := one(pos, "REF")
	if err != nil {
		return err
	}
	if *signer == "" {
		return usageErr("--signer NAME is required: who signed form %s, as written on it", ref)
	}
	lines, err := refusedLines(*refuse, *reason)
	if err != nil {
		return err
	}
	return e.closeForm(ctx, ref, func(st *store.Store, operator string, date time.Time) error {
		err := st.SignRefusing(ctx, ref, store.Decision{Signer: *signer, Refused: lines, Reason: *reason}, operator, date)
		switch {
		case errors.Is(err, store.ErrNoSuchLine):
			f, ferr := st.Model(ctx, ref)
			if ferr != nil {
				return ferr
			}
			return usageErr("--refuse: form %s numbers its request lines 1 to %d; give the numbers printed on it", ref, f.Requests)
		case errors.Is(err, store.ErrNoModel):
			return usageErr("form %s was recorded by an older dccprov that kept no copy of its lines: refuse it whole with 'dccprov forms reject', or sign it whole", ref)
		case err != nil:
			return err
		}
		f, err := st.Form(ctx, ref)
		if err != nil {
			return err
		}
		switch {
		case f.Status == store.FormRejected:
			fmt.Fprintf(e.stderr, "dccprov: form %s signed on %s with every line refused; its habilitations stay ungranted\n", ref, date.Format(time.DateOnly))
		case len(lines) > 0:
			fmt.Fprintf(e.stderr, "dccprov: form %s signed on %s, %d line(s) refused; its other habilitations are granted by the next run\n", ref, date.Format(time.DateOnly), len(lines))
		default:
			fmt.Fprintf(e.stderr, "dccprov: form %s signed on %s; its habilitations are granted by the next run\n", ref, date.Format(time.DateOnly))
		}
		if e.g.json {
			if lines == nil {
				lines = []int{}
			}
			return writeJSON(e.stdout, signedJSON{Ref: ref, Status: f.Status, Date: date.Format(time.DateOnly), Form: f, Refused: lines, Reason: *reason})
		}
		return nil
	})
}

// signedJSON is what `forms sign --json` prints: the form, its new status
// and the refused lines (the reference, status and date as before).
type signedJSON struct {
	Ref     string     `json:"ref"`
	Status  string     `json:"status"`
	Date    string     `json:"date"`
	Form    store.Form `json:"form"`
	Refused []int      `json:"refused_lines"`
	Reason  string     `json:"reason,omitempty"`
}

// refusedLines parses --refuse LINE[,LINE…] with its --reason: numbers
// from 1, each once; one flag without the other is a usage error. The
// store checks the numbers against the form.
func refusedLines(refuse, reason string) ([]int, error) {
	switch {
	case refuse == "" && reason == "":
		return nil, nil
	case refuse == "":
		return nil, usageErr("--reason goes with --refuse LINE[,LINE…] on forms sign: name the refused lines, or leave --reason out (to refuse the whole form: dccprov forms reject REF --reason TEXT)")
	case strings.TrimSpace(reason) == "":
		return nil, usageErr("--refuse %s needs --reason TEXT: why the lines were refused, for the referent", refuse)
	}
	var lines []int
	seen := map[int]bool{}
	for f := range strings.SplitSeq(refuse, ",") {
		f = strings.TrimSpace(f)
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, usageErr("--refuse %s: %q is not a line number; give the numbers printed on the form, separated by commas (2,5)", refuse, f)
		}
		if seen[n] {
			return nil, usageErr("--refuse %s: line %d is given twice; give each line once", refuse, n)
		}
		seen[n] = true
		lines = append(lines, n)
	}
	slices.Sort(lines)
	return lines, nil
}

func runFormsReject(ctx context.Context, e *env, args []string) error {
	fs := e.newFlagSet("forms reject")
	reason := fs.String("reason", "", "why the form was refused (`TEXT`)")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	ref, err := one(pos, "REF")
	if err != nil {
		return err
	}
	if *reason == "" {
		return usageErr("--reason TEXT is required: why form %s was refused", ref)
	}
	return e.closeForm(ctx, ref, func(st *store.Store, operator string, date time.Time) error {
		if err := st.Reject(ctx, ref, *reason, operator, date); err != nil {
			return err
		}
		fmt.Fprintf(e.stderr, "dccprov: form %s rejected; its habilitations stay ungranted\n", ref)
		if e.g.json {
			return writeJSON(e.stdout, map[string]string{"ref": ref, "status": store.FormRejected, "date": date.Format(time.DateOnly)})
		}
		return nil
	})
}

func (e *env) closeForm(ctx context.Context, ref string, do func(st *store.Store, operator string, date time.Time) error) error {
	cfg, _, err := e.loadConfig()
	if err != nil {
		return err
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	err = do(st, cfg.Operator, cfg.Date)
	switch {
	case errors.Is(err, store.ErrUnknownForm):
		return usageErr("no form %s in %s; run 'dccprov forms list' to see the references", ref, e.g.store)
	case errors.Is(err, store.ErrBeforeCreation):
		f, ferr := st.Form(ctx, ref)
		if ferr != nil {
			return ferr
		}
		return usageErr("form %s was printed on %s, so it cannot be signed or rejected on %s; give the date written on the form with --date YYYY-MM-DD",
			ref, f.CreatedOn, cfg.Date.Format(time.DateOnly))
	case errors.Is(err, store.ErrFormClosed):
		f, ferr := st.Form(ctx, ref)
		if ferr != nil {
			return ferr
		}
		return usageErr("form %s is already %s; nothing changed", ref, f.Status)
	}
	return err
}

func runFormsPrint(ctx context.Context, e *env, args []string) error {
	fs := e.newFlagSet("forms print")
	var outDir string
	fs.StringVar(&outDir, "o", "", "write the form as `DIR`/REF.pdf (mode 0600; DIR is created, mode 0700)")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	ref, err := one(pos, "REF")
	if err != nil {
		return err
	}
	if outDir == "" {
		return usageErr("forms print needs -o DIR, the folder to write %s.pdf into", ref)
	}
	cfg, _, err := e.loadConfig()
	if err != nil {
		return err
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := st.Model(ctx, ref)
	switch {
	case errors.Is(err, store.ErrUnknownForm):
		return usageErr("no form %s in %s; run 'dccprov forms list' to see the references", ref, e.g.store)
	case errors.Is(err, store.ErrNoModel):
		return usageErr("form %s was recorded by an older dccprov that kept no copy of it; use the PDF its run wrote", ref)
	case err != nil:
		return err
	}
	// The name comes from the store: allow only what a REF is made of.
	// Every check comes before DIR is made, so a bad REF leaves nothing.
	if f.Ref != ref || !refPattern.MatchString(f.Ref) {
		return fmt.Errorf("form %s: not a form reference", ref)
	}
	if err := os.MkdirAll(outDir, 0o700); err != nil {
		return usageErr("-o %s: cannot use it as a folder (%v)", outDir, err)
	}
	path := filepath.Join(outDir, f.Ref+".pdf")
	h := sha256.New()
	if err := provision.WriteFileAtomic(path, func(w io.Writer) error { return provision.WriteFormPDF(io.MultiWriter(w, h), f, cfg) }); err != nil {
		return err
	}
	// Every distinct file issued is recorded, so that the form returned
	// electronically signed can be matched to it.
	if err := st.RecordFormFile(ctx, f.Ref, hex.EncodeToString(h.Sum(nil)), cfg.Date); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "dccprov: form %s (%s, %d request(s), printed %s) → %s\n", f.Ref, f.Establishment.Name, f.Requests, f.Date, path)
	return nil
}

// refPattern is what [provision.PlanForms] makes of a reference: a safe
// file name.
var refPattern = regexp.MustCompile(`^F-[0-9A-Za-z]+-[0-9]{8}-[0-9a-f]{6}(-[0-9]+)?$`)
