package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/dccprov/dccprov/provision"
)

// progressBar shows the steps of a command on stderr, one bar each: a
// spinner with the count and the rate while the total is not known, a bar
// once it is. It implements [provision.Progress].
type progressBar struct {
	w    io.Writer
	mu   sync.Mutex
	bar  *progressbar.ProgressBar
	name string
}

// progress returns the progress bar of the command, or nil (no progress)
// unless stderr is a terminal and none of --no-progress, --json, --quiet,
// --log-format json or a CI environment variable asks for quiet output.
func (e *env) progress() *progressBar {
	if e.g.noProgress || e.g.json || e.g.quiet || e.g.logFormat == "json" || e.getenv("CI") != "" {
		return nil
	}
	f, ok := e.stderr.(*os.File)
	if !ok || !isatty.IsTerminal(f.Fd()) {
		return nil
	}
	return &progressBar{w: f}
}

// orNil returns p as a [provision.Progress], a nil interface when p is nil.
func (p *progressBar) orNil() provision.Progress {
	if p == nil {
		return nil
	}
	return p
}

// Step ends the step shown and starts one.
func (p *progressBar) Step(name string, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finish()
	p.name = name
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(name),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
	}
	if total < 0 {
		opts = append(opts, progressbar.OptionSpinnerType(14))
	}
	if strings.HasSuffix(name, "rows") {
		opts = append(opts, progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"))
	}
	p.bar = progressbar.NewOptions(total, opts...)
}

// Add counts n more units done.
func (p *progressBar) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Add(n) // a terminal that cannot be written to only loses the bar
	}
}

// Describe names what the step works on now.
func (p *progressBar) Describe(what string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Describe(p.name + ": " + what)
	}
}

// Close ends the last step: the bar's line is done before the summary.
func (p *progressBar) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finish()
}

func (p *progressBar) finish() {
	if p.bar == nil {
		return
	}
	if !p.bar.IsFinished() { // a bar ends itself, and its line, at its total
		_ = p.bar.Finish()
	}
	p.bar = nil
}
