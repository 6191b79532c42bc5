package main

import (
	"cmp"
	"context"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"

	"github.com/dccprov/dccprov/provision/ldap"
	"github.com/dccprov/dccprov/provision/store"
)

// ldapCommands are the subcommands of `dccprov ldap`. It is never written.
var ldapCommands = []string{"plan", "apply"}

// runLDAP is `dccprov ldap plan|apply DIR`.
func runLDAP(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help") {
		fmt.Fprintln(e.stderr, "Usage:\n  dccprov ldap plan DIR [--url URL --base-dn DN --bind-dn DN --bind-password-file FILE] [--json]   what apply would change\n  dccprov ldap apply DIR [same flags] [--prune]   provision the directory (writes DIR/ldap-undo-TIMESTAMP.ldif first)\nExample: dccprov ldap plan out/2026-01-15 --url ldaps://annuaire.example:636\nRun 'dccprov ldap plan -h' for the flags.")
		return flag.ErrHelp
	}
	if len(args) == 0 || !slices.Contains(ldapCommands, args[0]) {
		hint := ""
		if len(args) > 0 {
			hint = fmt.Sprintf("unknown subcommand %q%s; ", args[0], didYouMean(args[0], ldapCommands, "ldap "))
		}
		return usageErr("%sexpected 'ldap plan DIR' or 'ldap apply DIR'", hint)
	}
	sub := args[0]
	fset := e.newFlagSet("ldap " + sub)
	var f ldapFlags
	fset.StringVar(&f.url, "url", "", "the directory, `ldaps://HOST[:PORT]` or ldap://HOST[:PORT] (StartTLS) (env DCCPROV_LDAP_URL)")
	fset.StringVar(&f.baseDN, "base-dn", "", "the directory's base `DN` (env DCCPROV_LDAP_BASE_DN)")
	fset.StringVar(&f.bindDN, "bind-dn", "", "bind as `DN` (env DCCPROV_LDAP_BIND_DN)")
	fset.StringVar(&f.passwordFile, "bind-password-file", "", "read the bind password from `FILE` (or env DCCPROV_LDAP_PASSWORD)")
	fset.StringVar(&f.caFile, "ca-file", "", "trust the CA certificates (PEM) in `FILE` besides the system's (env DCCPROV_LDAP_CA_FILE)")
	fset.BoolVar(&f.insecure, "insecure", false, "allow plain LDAP to a non-loopback server that offers no StartTLS")
	fset.BoolVar(&f.prune, "prune", false, "disable, and remove from the habilitation groups, people of the batch's establishments it no longer names")
	fset.BoolVar(&f.showValues, "show-values", false, "print attribute values (personal data) in the result, not only names")
	pos, err := e.parseArgs(fset, args[1:])
	if err != nil {
		return err
	}
	dir, err := one(pos, "DIR")
	if err != nil {
		return err
	}
	cfg, fc, err := e.loadConfig()
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fset.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	st, err := e.ldapSettings(&f, fc.LDAP, set)
	if err != nil {
		return err
	}
	batch, err := ldap.ReadBatch(dir)
	if err != nil {
		return fmt.Errorf("%w; give the folder written by 'dccprov run FILE -o DIR'", err)
	}
	if st.BaseDN == "" {
		// Last in the precedence: the base `run` wrote in accounts.ldif.
		st.BaseDN = batch.BaseDN
	}
	if st.BaseDN == "" {
		return usageErr("no base DN: use --base-dn, DCCPROV_LDAP_BASE_DN or ldap.base_dn in the config file (accounts.ldif has no DN to take it from)")
	}
	c, err := ldap.Dial(ctx, st)
	if err != nil {
		return ldapErr(ctx, err)
	}
	defer c.Close()
	if c.Plain() {
		e.log.Warn().Str("url", st.URL).Msg("the directory offers no StartTLS: using plain LDAP")
	}
	// The groups dccprov manages are those of the catalogue's codes and of
	// the codes habilitations.csv names; other groups are never examined.
	opt := ldap.Options{Prune: f.prune, Date: cfg.Date}
	for _, h := range cfg.Habilitations {
		opt.Codes = append(opt.Codes, h.Code)
	}
	bar := e.progress()
	defer bar.Close()
	if bar != nil {
		bar.Step("reading the LDAP directory", -1)
	}
	cs, err := ldap.Plan(ctx, c, batch, opt)
	bar.Close()
	if err != nil {
		return ldapErr(ctx, err)
	}
	if sub == "plan" {
		sum := cs.Summary(f.showValues)
		e.log.Info().Int("add", sum.Add).Int("modify", sum.Modify).Int("remove", sum.Remove).
			Int("unchanged", sum.Unchanged).Msg("planned")
		return e.printLDAP(sum, f.showValues, "to ")
	}
	// The audit trail is the store's: open it before changing anything, so
	// an unusable store stops apply before the directory is touched.
	db, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	aud := &storeAuditor{log: e.log, db: db, date: cfg.Date, operator: cfg.Operator}
	sum, err := ldap.Apply(ctx, c, cs, ldap.ApplyOptions{Dir: dir, Date: cfg.Date, Auditor: aud, Progress: bar.orNil()})
	bar.Close()
	// Record the rest of what was done, even when apply failed part-way.
	if aerr := aud.flush(ctx); aerr != nil {
		e.log.Error().Err(aerr).Int("events", len(aud.events)).Msg("could not record the directory operations in the audit trail")
		if err == nil {
			err = aerr
		}
	}
	if sum.Undo != "" {
		e.log.Info().Str("undo", sum.Undo).Msg("wrote the undo LDIF; load it with ldapmodify -f to restore the previous state")
	}
	// A DN is made from a name (uid=jean.dupont): the log says only how
	// many operations of each kind failed and why; the DNs are in the
	// result on stdout (--json: failures).
	type failure struct {
		op   ldap.Op
		code int
	}
	failed := map[failure]int{}
	for _, f := range sum.Failures {
		failed[failure{f.Op, f.Code}]++
	}
	for _, k := range slices.SortedFunc(maps.Keys(failed), func(a, b failure) int {
		return cmp.Or(cmp.Compare(a.op, b.op), cmp.Compare(a.code, b.code))
	}) {
		e.log.Error().Str("op", string(k.op)).Int("ldap_result", k.code).Int("count", failed[k]).
			Msg("directory operations failed; their DNs are in the result (--json: failures)")
	}
	e.log.Info().Int("add", sum.Add).Int("modify", sum.Modify).Int("remove", sum.Remove).
		Int("unchanged", sum.Unchanged).Int("failed", sum.Failed).Msg("applied")
	if perr := e.printLDAP(sum, f.showValues, ""); err == nil {
		err = perr
	}
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return externalErr(errors.New("interrupted; run 'dccprov ldap apply' again to finish"))
	case errors.Is(err, ldap.ErrIncomplete):
		return externalErr(fmt.Errorf("%w; run 'dccprov ldap apply' again to finish", err))
	}
	return ldapErr(ctx, err)
}

type ldapFlags struct {
	url, baseDN, bindDN, passwordFile, caFile string
	insecure, prune, showValues               bool
}

// ldapSettings resolves the directory settings: flag > DCCPROV_LDAP_* >
// the config file's ldap: section (> the base DN of accounts.ldif). The
// password comes only from a file or DCCPROV_LDAP_PASSWORD.
//
// The base DN is left empty when none of them gives one: the caller takes
// it from accounts.ldif.
func (e *env) ldapSettings(f *ldapFlags, fc ldapConfig, set map[string]bool) (ldap.Settings, error) {
	pick := func(flagName, flagVal, envName, fileVal string) string {
		if set[flagName] {
			return flagVal
		}
		return firstNonEmpty(e.getenv(envName), fileVal)
	}
	st := ldap.Settings{
		URL:      pick("url", f.url, "DCCPROV_LDAP_URL", fc.URL),
		BaseDN:   pick("base-dn", f.baseDN, "DCCPROV_LDAP_BASE_DN", fc.BaseDN),
		BindDN:   pick("bind-dn", f.bindDN, "DCCPROV_LDAP_BIND_DN", fc.BindDN),
		Insecure: f.insecure,
	}
	if st.URL == "" {
		return st, usageErr("no directory given: use --url, DCCPROV_LDAP_URL or ldap.url in the config file")
	}
	if st.BindDN == "" {
		return st, usageErr("no bind DN given: use --bind-dn, DCCPROV_LDAP_BIND_DN or ldap.bind_dn in the config file")
	}
	pwFile := f.passwordFile
	if !set["bind-password-file"] {
		pwFile = ""
	}
	// e.getenv cannot tell an empty variable from an unset one.
	_, pwSet := os.LookupEnv("DCCPROV_LDAP_PASSWORD")
	switch pw := e.getenv("DCCPROV_LDAP_PASSWORD"); {
	case pwFile != "":
		p, err := readSecret(pwFile)
		if err != nil {
			return st, usageErr("reading --bind-password-file: %v", err)
		}
		if p == "" {
			return st, usageErr("the password file %s is empty", pwFile)
		}
		st.Password = p
	case pw != "":
		st.Password = pw
	case pwSet:
		return st, usageErr("DCCPROV_LDAP_PASSWORD is empty; set it to the bind password or use --bind-password-file")
	case fc.BindPasswordFile != "":
		p, err := readSecret(fc.BindPasswordFile)
		if err != nil {
			return st, usageErr("reading ldap.bind_password_file: %v", err)
		}
		if p == "" {
			return st, usageErr("the password file %s is empty", fc.BindPasswordFile)
		}
		st.Password = p
	default:
		return st, usageErr("no bind password: use --bind-password-file FILE or DCCPROV_LDAP_PASSWORD (never a flag value)")
	}
	if ca := pick("ca-file", f.caFile, "DCCPROV_LDAP_CA_FILE", fc.CAFile); ca != "" {
		system, err := x509.SystemCertPool() // the directory's CA is added to the system's
		if err != nil {
			system = nil
		}
		pool, err := loadCAFile(ca, system, "give the certificate of the directory's authority, in PEM")
		if err != nil {
			return st, err
		}
		st.RootCAs = pool
	}
	return st, nil
}

// readSecret reads a password file, without its final line break.
func readSecret(name string) (string, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return "", err
	}
	if len(data) > 4096 {
		return "", errors.New("the file is larger than a password")
	}
	return strings.TrimRight(string(data), "\r\n"), nil
}

// ldapErr maps an error of Dial or Plan to its exit status: settings the
// operator must fix are 2; an unreachable directory, a connection lost or
// an interruption are 3 (nothing was changed, and running again later may
// succeed without changing anything).
func ldapErr(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return externalErr(errors.New("interrupted before anything was changed"))
	case errors.Is(err, ldap.ErrBind), errors.Is(err, ldap.ErrTLS), errors.Is(err, ldap.ErrPlain), errors.Is(err, ldap.ErrSetting):
		return &exitError{2, err}
	case errors.Is(err, ldap.ErrUnreachable):
		return externalErr(err)
	}
	// Other errors of Dial are bad settings (a URL that is not LDAP);
	// those of Plan are the directory's (a search that failed).
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return externalErr(err)
}

// printLDAP writes the result on stdout: JSON with --json, else a table of
// changes and a count line. verb is "to " for a plan.
func (e *env) printLDAP(sum *ldap.Summary, showValues bool, verb string) error {
	if e.g.json {
		return writeJSON(e.stdout, sum)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	if len(sum.Changes) > 0 {
		fmt.Fprintln(tw, "OP\tDN\tATTRIBUTES")
	}
	for _, c := range sum.Changes {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Op, c.DN, strings.Join(c.Attributes, ","))
		if showValues {
			for _, k := range slices.Sorted(maps.Keys(c.Values)) {
				fmt.Fprintf(tw, "\t  %s: %s\t\n", k, strings.Join(c.Values[k], " | "))
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(e.stdout, "%d %sadd, %d %smodify, %d %sremove, %d unchanged, %d failed\n",
		sum.Add, verb, sum.Modify, verb, sum.Remove, verb, sum.Unchanged, sum.Failed)
	return err
}

// storeAuditor records the directory operations of an apply in the
// store's audit trail, in batches (one transaction each) of at most
// auditBatch events or auditEvery, so that a crash mid-apply leaves most
// operations recorded; flush writes the rest. It logs each at debug level.
// Object is a DN (uid=LOGIN,…) and detail names attributes only: never a
// value.
type storeAuditor struct {
	log      zerolog.Logger
	db       *store.Store
	date     time.Time
	operator string

	mu     sync.Mutex
	events []store.Event
	last   time.Time // of the last flush
}

const (
	auditBatch = 1000
	auditEvery = time.Second
)

func (a *storeAuditor) Audit(ctx context.Context, action, object, detail string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, store.Event{Action: action, Object: object, Detail: detail})
	if a.last.IsZero() {
		a.last = time.Now()
	}
	if len(a.events) >= auditBatch || time.Since(a.last) >= auditEvery {
		return a.flushLocked(ctx)
	}
	return nil
}

// flush writes the events not yet recorded.
func (a *storeAuditor) flush(ctx context.Context) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.flushLocked(ctx)
}

func (a *storeAuditor) flushLocked(ctx context.Context) error {
	a.last = time.Now()
	if len(a.events) == 0 {
		return nil
	}
	// Record what was done even when the operator interrupted apply.
	if err := a.db.AddEvents(context.WithoutCancel(ctx), a.date, a.operator, a.events); err != nil {
		return err
	}
	a.events = a.events[:0]
	return nil
}
