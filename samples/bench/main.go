// Command bench compares dccprov with a floor and the usual spreadsheet
// readers on big synthetic staff lists, and says whether the performance
// goals hold. It prints one Markdown table on stdout; progress goes to
// stderr.
//
// Usage:
//
//	go run ./samples/bench [-sizes 100000,1000000] [-out DIR] [-timeout 20m] [-count N] [-seed N]
//
// It builds bin/dccprov, then for each size generates four lists with
// [biglist] (realistic and heavy, as .xlsx and .csv) into a temporary
// directory (removed at the end) or into -out (kept), and runs each tool
// as a child process, measuring its wall time and peak RSS:
//
//   - the floor: this command again, reading the CSV with encoding/csv;
//   - xlsx2csv FILE.xlsx (Debian package xlsx2csv), to /dev/null;
//   - openpyxl in read-only mode iterating every row (/usr/bin/python3,
//     Debian package python3-openpyxl);
//   - dccprov check on the .xlsx and the .csv, dccprov run on the .xlsx.
//
// Peak RSS is the child's ru_maxrss. A child starts from its parent's peak
// (os/exec forks with CLONE_VM), so the lists are generated in child
// processes too and the harness stays a few MiB, which the header gives.
// With -count N, each tool runs N times and the table shows its fastest
// run and its highest peak RSS: the machine may be busy with other work
// (the header gives the load average at the start). The ratios compare
// wall times with the floor and with xlsx2csv on the same list. A tool
// that is missing, times out or refuses a file (exit 2) is shown as such,
// and the goals it takes part in as missed.
//
// The exit status is 0 whether or not the goals hold, 1 when the harness
// itself fails, 2 on a usage error. `make bench` installs the Debian
// packages and runs it after the Go benchmarks.
package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dccprov/dccprov/samples/biglist"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench: ")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is what the flags say.
type config struct {
	sizes   []int
	out     string
	timeout time.Duration
	count   int
	seed    uint64
	load    string // /proc/loadavg at the start
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	log.SetOutput(stderr)
	// Two modes are for the harness's own child processes, not for people,
	// so not in the usage: the floor reads a CSV with encoding/csv, and
	// generate writes a list. The lists are generated in a child because a
	// child inherits its parent's peak RSS as its own starting ru_maxrss
	// (os/exec forks with CLONE_VM): the harness must stay small.
	switch {
	case len(args) == 2 && args[0] == "-floor":
		n, err := floor(args[1])
		if err != nil {
			log.Print(err)
			return 1
		}
		fmt.Fprintln(stdout, n)
		return 0
	case len(args) == 5 && args[0] == "-generate":
		if err := generateMode(args[1:]); err != nil {
			log.Print(err)
			return 1
		}
		return 0
	}
	var cfg config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sizes := fs.String("sizes", "100000,1000000", "list sizes in people rows, comma-separated")
	fs.StringVar(&cfg.out, "out", "", "generate the lists into `DIR` and keep them (default: a temporary directory, removed)")
	fs.DurationVar(&cfg.timeout, "timeout", 20*time.Minute, "stop a tool after `D`")
	fs.IntVar(&cfg.count, "count", 1, "run each tool `N` times and keep the fastest run")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the generated lists")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if cfg.count < 1 {
		fmt.Fprintf(stderr, "bench: -count %d: want at least 1\n", cfg.count)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bench: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	for s := range strings.SplitSeq(*sizes, ",") {
		n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(s), "_", ""))
		if err != nil || n < 1 || n > biglist.MaxRows {
			fmt.Fprintf(stderr, "bench: size %q is not a number of rows between 1 and %d\n", s, biglist.MaxRows)
			return 2
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	if err := bench(ctx, cfg, stdout); err != nil {
		log.Print(err)
		return 1
	}
	return 0
}

// floor reads the CSV list name with encoding/csv and counts its records:
// no tool reading that CSV can be faster.
func floor(name string) (int, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comma = ';'
	r.ReuseRecord = true
	n := 0
	for {
		_, err := r.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("reading %s: %w", name, err)
		}
		n++
	}
}

// The tools, in table order.
const (
	toolFloor    = "Go encoding/csv (floor)"
	toolXLSX2CSV = "xlsx2csv"
	toolOpenpyxl = "openpyxl read-only"
	toolCheckX   = "dccprov check .xlsx"
	toolCheckC   = "dccprov check .csv"
	toolRunX     = "dccprov run .xlsx"
)

// openpyxlScript iterates every row of every sheet, as a Python script
// that reads a list would, and prints the number of rows.
const openpyxlScript = `import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1], read_only=True)
n = 0
for ws in wb.worksheets:
    for row in ws.iter_rows(values_only=True):
        n += 1
print(n)
`

// python is Debian's python3, the one python3-openpyxl installs for (the
// python3 of PATH may be another, without openpyxl).
const python = "/usr/bin/python3"

func bench(ctx context.Context, cfg config, stdout io.Writer) error {
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		cfg.load = strings.Join(strings.Fields(string(data))[:3], " ")
	}
	root, err := moduleRoot(ctx)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding the bench binary: %w", err)
	}
	dir := cfg.out
	if dir == "" {
		if dir, err = os.MkdirTemp("", "dccprov-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	dccprov := filepath.Join(root, "bin", "dccprov")
	log.Printf("building %s", dccprov)
	build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", dccprov, "./cmd/dccprov")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building dccprov: %v\n%s", err, out)
	}
	checkFlags, err := supportedFlags(ctx, dccprov, "check")
	if err != nil {
		return err
	}
	runFlags, err := supportedFlags(ctx, dccprov, "run")
	if err != nil {
		return err
	}

	var results []result
	for _, size := range cfg.sizes {
		for _, mix := range []string{biglist.Realistic, biglist.Heavy} {
			if err := ctx.Err(); err != nil {
				return err
			}
			l := list{size: size, mix: mix, dir: filepath.Join(dir, fmt.Sprintf("%d-%s", size, mix))}
			rs, err := l.measure(ctx, cfg, tools{self: self, dccprov: dccprov, check: checkFlags, run: runFlags})
			if err != nil {
				return err
			}
			results = append(results, rs...)
			if cfg.out == "" {
				// A 1M-row list and its outputs take a few hundred MB.
				if err := os.RemoveAll(l.dir); err != nil {
					return err
				}
			}
		}
	}
	return report(stdout, header(ctx, root, cfg, checkFlags), results)
}

// tools is what the harness runs besides the Debian tools.
type tools struct {
	self, dccprov string
	check, run    flagSet
}

// list is one generated list and its directory, which holds liste.xlsx,
// liste.csv and a working directory per dccprov command.
type list struct {
	size int
	mix  string
	dir  string
}

// job is one tool to run on a list.
type job struct {
	tool string
	rows bool // the tool prints the number of rows it read
	// discard sends the tool's standard output to /dev/null: it is the
	// converted list (xlsx2csv), not a count.
	discard bool
	work    string // the working directory, emptied before each run ("": the list's)
	name    string
	args    []string
}

// measure generates the list and measures every tool on it.
func (l list) measure(ctx context.Context, cfg config, t tools) ([]result, error) {
	if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return nil, err
	}
	xlsxFile, csvFile := filepath.Join(l.dir, "liste.xlsx"), filepath.Join(l.dir, "liste.csv")
	o := biglist.Options{Rows: l.size, Problems: l.mix, Seed: cfg.seed}
	start := time.Now()
	for _, name := range []string{xlsxFile, csvFile} {
		gen := exec.CommandContext(ctx, t.self, "-generate", o.Problems, strconv.Itoa(o.Rows), strconv.FormatUint(o.Seed, 10), name)
		if out, err := gen.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("generating %s: %v\n%s", name, err, out)
		}
	}
	log.Printf("generated %d %s rows (.xlsx and .csv) in %.1f s", l.size, l.mix, time.Since(start).Seconds())

	// Each dccprov command runs in a directory of its own (so that no
	// ./dccprov.yaml of the caller's applies), with a store of its own.
	work := func(tool string) string {
		return filepath.Join(l.dir, "work-"+strings.NewReplacer(" ", "-", ".", "").Replace(tool))
	}
	dccprov := func(tool string, args []string, flags flagSet) job {
		w := work(tool)
		return job{tool: tool, work: w, name: t.dccprov, args: append(args, flags.pass(w)...)}
	}
	jobs := []job{
		{tool: toolFloor, rows: true, name: t.self, args: []string{"-floor", csvFile}},
		{tool: toolXLSX2CSV, discard: true, name: "xlsx2csv", args: []string{xlsxFile}},
		{tool: toolOpenpyxl, rows: true, name: python, args: []string{"-c", openpyxlScript, xlsxFile}},
		dccprov(toolCheckX, []string{"check", xlsxFile, "--corrections", filepath.Join(work(toolCheckX), "corrections.xlsx")}, t.check),
		dccprov(toolCheckC, []string{"check", csvFile, "--corrections", filepath.Join(work(toolCheckC), "corrections.xlsx")}, t.check),
		dccprov(toolRunX, []string{"run", xlsxFile, "-o", filepath.Join(work(toolRunX), "out")}, t.run),
	}
	var results []result
	for _, j := range jobs {
		m, err := j.measure(ctx, cfg, l.dir)
		if err != nil {
			return nil, err
		}
		if j.rows && m.status == statusOK {
			if n, err := strconv.Atoi(strings.TrimSpace(m.stdout)); err != nil || n != l.size+1 {
				m.note = fmt.Sprintf("read %q rows, not %d", strings.TrimSpace(m.stdout), l.size+1)
			}
		}
		r := result{size: l.size, mix: l.mix, tool: j.tool, measurement: m}
		log.Printf("%d %s %s: %s", l.size, l.mix, j.tool, r.summary())
		results = append(results, r)
	}
	return results, nil
}

// measure runs j cfg.count times, or until a run fails, and returns its
// fastest run with the highest peak RSS.
func (j job) measure(ctx context.Context, cfg config, dir string) (measurement, error) {
	var best measurement
	for n := range cfg.count {
		if j.work != "" {
			dir = j.work
			if err := os.RemoveAll(dir); err != nil {
				return best, err
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return best, err
			}
		}
		m := measure(ctx, cfg.timeout, dir, j.discard, j.name, j.args...)
		if err := ctx.Err(); err != nil {
			return best, err
		}
		switch {
		case n == 0 || !m.ok():
			best = m
		default:
			best.wall = min(best.wall, m.wall)
			best.maxRSS = max(best.maxRSS, m.maxRSS)
		}
		if !m.ok() {
			break
		}
	}
	return best, nil
}

// generateMode writes the list of args (mix, rows, seed, file) as an
// .xlsx or a .csv, by the file's extension.
func generateMode(args []string) error {
	rows, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	seed, err := strconv.ParseUint(args[2], 10, 64)
	if err != nil {
		return err
	}
	o := biglist.Options{Problems: args[0], Rows: rows, Seed: seed}
	name := args[3]
	switch filepath.Ext(name) {
	case ".xlsx":
		return generate(name, o, biglist.WriteXLSX)
	case ".csv":
		return generate(name, o, biglist.WriteCSV)
	}
	return fmt.Errorf("generating %s: not an .xlsx or .csv name", name)
}

func generate(name string, o biglist.Options, write func(io.Writer, biglist.Options) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f, o); err != nil {
		f.Close()
		return fmt.Errorf("generating %s: %w", name, err)
	}
	return f.Close()
}

// moduleRoot returns the directory of dccprov's go.mod.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	data, err := os.ReadFile(gomod)
	if err != nil || !bytes.HasPrefix(data, []byte("module github.com/dccprov/dccprov\n")) {
		return "", errors.New("run bench from the dccprov module (go run ./samples/bench)")
	}
	return filepath.Dir(gomod), nil
}

// flagSet is the global flags a dccprov subcommand accepts, of those the
// bench passes: a flag that does not exist yet is not passed.
type flagSet struct{ store, quiet, noProgress bool }

var flagLine = regexp.MustCompile(`(?m)^\s+-([a-z][a-z-]*)`)

func supportedFlags(ctx context.Context, dccprov, cmd string) (flagSet, error) {
	out, _ := exec.CommandContext(ctx, dccprov, cmd, "-h").CombinedOutput() // -h may exit 0 or 2
	var names []string
	for _, m := range flagLine.FindAllStringSubmatch(string(out), -1) {
		names = append(names, m[1])
	}
	if len(names) == 0 {
		return flagSet{}, fmt.Errorf("dccprov %s -h lists no flags:\n%s", cmd, out)
	}
	return flagSet{
		store:      slices.Contains(names, "store"),
		quiet:      slices.Contains(names, "quiet"),
		noProgress: slices.Contains(names, "no-progress"),
	}, nil
}

// pass returns the flags to pass, with a store of its own in dir.
func (f flagSet) pass(dir string) []string {
	var args []string
	if f.store {
		args = append(args, "--store", filepath.Join(dir, "db"))
	}
	if f.quiet {
		args = append(args, "--quiet")
	}
	if f.noProgress {
		args = append(args, "--no-progress")
	}
	return args
}

// header says what was measured, where.
func header(ctx context.Context, root string, cfg config, f flagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "dccprov bench, %s", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	git := exec.CommandContext(ctx, "git", "describe", "--always", "--dirty")
	git.Dir = root
	if out, err := git.Output(); err == nil {
		fmt.Fprintf(&b, ", dccprov %s", strings.TrimSpace(string(out)))
	}
	fmt.Fprintf(&b, ", %s, %d CPUs", runtime.Version(), runtime.NumCPU())
	if cfg.load != "" {
		fmt.Fprintf(&b, " (load average %s at the start)", cfg.load)
	}
	fmt.Fprintf(&b, ", lists seed %d, fastest of %d run(s) per tool, timeout %s", cfg.seed, cfg.count, cfg.timeout)
	fmt.Fprintf(&b, ", dccprov flags: %s", strings.Join(f.pass("TMP"), " "))
	if hwm := ownPeakRSS(); hwm != "" {
		fmt.Fprintf(&b, "; the harness's own peak RSS, %s, is a lower bound of every peak RSS measured (a child starts from it)", hwm)
	}
	return b.String()
}

// ownPeakRSS returns the VmHWM of /proc/self/status ("" when unknown).
func ownPeakRSS() string {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return ""
			}
			return fmt.Sprintf("%.1f MiB", mib(kib))
		}
	}
	return ""
}
