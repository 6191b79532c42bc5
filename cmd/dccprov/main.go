package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/rs/zerolog"

	_ "time/tzdata" // dates are in Europe/Paris wherever dccprov runs
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// A command is one subcommand of dccprov, in the manner of cmd/go's
// base.Command: a name, a usage line, and a function.
type command struct {
	Name  string
	Usage string // after "dccprov "
	Short string
	Run   func(ctx context.Context, e *env, args []string) error
}

// commands is the table of subcommands, in the order `dccprov help` lists
// them. It is never written.
var commands = []command{
	{"check", "check FILE [--corrections PATH] [--sheet NAME] [--annuaire FILE] [--json]", "validate a staff list and write its corrections workbook", runCheck},
	{"run", "run FILE -o DIR [--annuaire FILE] [--date YYYY-MM-DD]", "the whole batch: validate, write import files, forms and reports into DIR", runRun},
	{"forms", "forms list|sign|reject|print|receive …", "signature forms: their status, the signature, a reprint, a returned scan", runForms},
	{"readiness", "readiness [--finess F] [--history] [--json]", "each establishment's deployment readiness, as the last runs recorded it", runReadiness},
	{"ldap", "ldap plan|apply DIR", "compare or provision an LDAP directory from DIR", runLDAP},
	{"template", "template -o FILE.xlsx", "write a blank staff-list workbook for referents", runTemplate},
	{"explain", "explain CODE", "what a problem code means and how to fix the row", runExplain},
	{"version", "version", "print the version", runVersion},
	{"completion", "completion bash", "print the bash completion script (source <(dccprov completion bash))", runCompletion},
}

// env is what a command runs with: its streams, the global flags and the
// logger, so tests can call run directly.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	g              globals
	log            zerolog.Logger
	getenv         func(string) string
	usage          string // the running command's usage line, for -h
	// commands is the command table, for `completion`: a command of the
	// table cannot name [commands] itself (an initialisation cycle).
	commands []command
	// helped is the flag set whose flags -h printed: `completion` runs
	// each command with -h to learn its flags from it.
	helped *flag.FlagSet
	// caRoots are the authorities trusted to certify the signer of an
	// electronically signed form (`forms receive --ca-file`); nil means
	// the system's roots.
	caRoots *x509.CertPool
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, commands: commands}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	isCommand := func(a string) bool { return slices.ContainsFunc(commands, func(c command) bool { return c.Name == a }) }
	if strings.HasPrefix(args[0], "-") {
		// Global flags before the command ("dccprov --json version"): move
		// the command first; its flag set parses flags anywhere.
		if k := slices.IndexFunc(args, isCommand); k > 0 {
			args = append(append([]string{args[k]}, args[:k]...), args[k+1:]...)
		}
	}
	i := slices.IndexFunc(commands, func(c command) bool { return c.Name == args[0] })
	if i < 0 {
		var names []string
		for _, c := range commands {
			names = append(names, c.Name)
		}
		name := args[0]
		if k := slices.IndexFunc(args, func(a string) bool { return !strings.HasPrefix(a, "-") }); k >= 0 {
			name = args[k] // "dccprov --json chek": the command is the first non-flag
		}
		fmt.Fprintf(stderr, "dccprov: unknown command %q%s; run 'dccprov help' for the list\n", name, didYouMean(name, names, ""))
		return 2
	}
	e.usage = commands[i].Usage
	err := commands[i].Run(ctx, e, args[1:])
	code := exitCode(err)
	if err != nil && !errors.Is(err, errRejected) && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stderr, "dccprov %s: %v\n", commands[i].Name, err)
		if e.g.json {
			// A program reading --json gets the error on stdout too, as
			// the one object it reads, with the exit status.
			writeJSON(stdout, map[string]any{"error": err.Error(), "exit": code})
		}
	}
	return code
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "dccprov turns staff lists of health establishments into DCC accounts.")
	fmt.Fprintln(w, "\nUsage:")
	for _, c := range commands {
		fmt.Fprintf(w, "  dccprov %-52s %s\n", c.Usage, c.Short)
	}
	fmt.Fprintln(w, "\nGlobal flags (anywhere on the line): --config FILE, --store PATH, --json, --log-format console|json,")
	fmt.Fprintln(w, "  --quiet, --no-progress, --date YYYY-MM-DD, --operator NAME")
	fmt.Fprintln(w, "Run 'dccprov COMMAND -h' for a command's flags.")
}

// errRejected is returned by a command that processed its input but
// rejected some rows: exit status 1, nothing more to print.
var errRejected = errors.New("some rows were rejected")

// exitError carries an exit status chosen by the command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageErr is a usage mistake: exit status 2.
func usageErr(format string, a ...any) error {
	return &exitError{2, fmt.Errorf(format, a...)}
}

// pathErr is err without the path an *os.PathError repeats: the message
// names the file already.
func pathErr(err error) error {
	if pe, ok := errors.AsType[*os.PathError](err); ok {
		return pe.Err
	}
	return err
}

// externalErr is a failure of an external system part-way: exit status 3.
func externalErr(err error) error { return &exitError{3, err} }

// exitCode decides the exit status of every command, in one place.
func exitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errRejected):
		return 1
	case errors.As(err, &ee):
		return ee.code
	default:
		// Unreadable files, bad config, missing columns: nothing processed.
		return 2
	}
}

// globals are the flags every command accepts.
type globals struct {
	config     string
	store      string
	json       bool
	logFormat  string
	quiet      bool
	noProgress bool
	date       string
	operator   string
}

func (g *globals) register(fs *flag.FlagSet) {
	fs.StringVar(&g.config, "config", "", "read settings from `FILE` (default ./dccprov.yaml when present)")
	fs.StringVar(&g.store, "store", "", "the embedded database at `PATH` (default: env DCCPROV_STORE, store: in the config, else one per user, $XDG_DATA_HOME/dccprov/dccprov.db or ~/.local/share/dccprov/dccprov.db)")
	fs.BoolVar(&g.json, "json", false, "print a machine-readable result on stdout, nothing else there")
	fs.StringVar(&g.logFormat, "log-format", "console", "log format on stderr: console or json")
	fs.BoolVar(&g.quiet, "quiet", false, "log only warnings and errors")
	fs.BoolVar(&g.noProgress, "no-progress", false, "do not show progress")
	fs.StringVar(&g.date, "date", "", "date of the outputs, `YYYY-MM-DD` (default SOURCE_DATE_EPOCH or today)")
	fs.StringVar(&g.operator, "operator", "", "who runs the batch, for the audit trail (default $USER)")
}

// newFlagSet returns a flag set for command name with the global flags.
// It prints nothing itself: parseArgs turns a bad flag into one sentence,
// and -h into the command's usage and flags.
func (e *env) newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("dccprov "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	e.g.register(fs)
	return fs
}

// printHelp writes the usage line and the flags of fs to stderr.
func (e *env) printHelp(fs *flag.FlagSet) {
	e.helped = fs
	fmt.Fprintf(e.stderr, "Usage: dccprov %s\n\nFlags:\n", e.usage)
	fs.SetOutput(e.stderr)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// parseArgs parses args with fs, allowing flags after positional
// arguments ("check FILE --json"), and returns the positionals. Everything
// after the first "--" is positional, even after a positional: flag's own
// "--" handling applies only where its Parse starts. Logging is set up from
// the global flags once they are parsed.
func (e *env) parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos, rest []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, rest = args[:i], args[i+1:]
	}
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				e.printHelp(fs)
				return nil, err
			}
			return nil, usageErr("%v%s; run '%s -h' for the flags", err, flagSuggestion(fs, err), fs.Name())
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	pos = append(pos, rest...)
	if err := e.setupLog(); err != nil {
		return nil, err
	}
	return pos, nil
}

// flagSuggestion is the "did you mean" of an unknown flag of fs.
func flagSuggestion(fs *flag.FlagSet, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !ok {
		return ""
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return didYouMean(name, names, "--")
}

func (e *env) setupLog() error {
	level := zerolog.InfoLevel
	if e.g.quiet {
		level = zerolog.WarnLevel
	}
	switch e.g.logFormat {
	case "json":
		e.log = zerolog.New(e.stderr).Level(level).With().Timestamp().Logger()
	case "console", "":
		cw := zerolog.ConsoleWriter{Out: e.stderr, NoColor: true, PartsExclude: []string{zerolog.TimestampFieldName}}
		e.log = zerolog.New(cw).Level(level)
	default:
		return usageErr("--log-format must be console or json, not %q", e.g.logFormat)
	}
	return nil
}

// one returns the single positional argument named what, or a usage error
// naming what is missing. Commands with an env call [env.one], which adds
// the command's usage line.
func one(pos []string, what string) (string, error) {
	return (&env{}).one(pos, what)
}

// one returns the single positional argument named what, or a usage error
// that quotes the running command's usage line when none was given (run
// prefixes the command's name: "dccprov check: expected one FILE …").
func (e *env) one(pos []string, what string) (string, error) {
	switch {
	case len(pos) == 1:
		return pos[0], nil
	case len(pos) > 1:
		return "", usageErr("expected one %s argument, got %d: %s", what, len(pos), strings.Join(pos, " "))
	case e.usage != "":
		return "", usageErr("expected one %s argument, got none; usage: dccprov %s", what, e.usage)
	default:
		return "", usageErr("expected one %s argument, got none", what)
	}
}

// writeJSON prints v as indented JSON, the way every --json result is printed.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
