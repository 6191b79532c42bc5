package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// The statuses of a measurement besides an exit status.
const (
	statusOK         = "ok"
	statusTimeout    = "timeout"
	statusMissing    = "not installed"
	statusRefused    = "refused (exit 2)"
	statusRejections = "ok (exit 1)" // dccprov: processed, some rows rejected
)

// measurement is one run of a tool as a child process.
type measurement struct {
	status string
	wall   time.Duration
	maxRSS int64  // KiB
	stdout string // the first bytes
	stderr string // the last bytes
	note   string
}

// ok reports whether the tool did its job, so its time means something.
func (m measurement) ok() bool { return m.status == statusOK || m.status == statusRejections }

// measure runs name with args in dir, stopping it (and its children) after
// timeout. With discard, the tool's standard output goes to /dev/null: a
// converter's output (xlsx2csv's CSV) is its work, and writing it to a pipe
// costs it more than writing a file (xlsx2csv of the 100k workbook: 2.7 s
// to /dev/null, 3.9 s into a pipe, 1.5 s of it system time), which would
// flatter dccprov, whose outputs are files.
func measure(ctx context.Context, timeout time.Duration, dir string, discard bool, name string, args ...string) measurement {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	stdout := &limitedBuffer{max: 4 << 10}
	stderr := &limitedBuffer{max: 4 << 10, tail: true}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if discard {
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return measurement{status: "failed: " + err.Error()}
		}
		defer null.Close()
		cmd.Stdout = null
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	err := cmd.Run()
	m := measurement{wall: time.Since(start), stdout: stdout.String(), stderr: stderr.String()}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			m.maxRSS = ru.Maxrss // KiB on Linux
		}
	}
	var exit *exec.ExitError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		m.status = statusTimeout
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, syscall.ENOENT):
		m.status = statusMissing
	case err == nil:
		m.status = statusOK
	case errors.As(err, &exit) && exit.ExitCode() == 1 && strings.HasSuffix(name, "dccprov"):
		m.status = statusRejections
	case errors.As(err, &exit) && exit.ExitCode() == 2 && strings.HasSuffix(name, "dccprov"):
		m.status = statusRefused
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		m.status = fmt.Sprintf("exit %d", exit.ExitCode())
	case errors.As(err, &exit):
		m.status = "killed: " + exit.String()
	default:
		m.status = "failed: " + err.Error()
	}
	if !m.ok() && m.status != statusMissing {
		m.note = lastLine(m.stderr)
	}
	return m
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// limitedBuffer keeps the first (or, with tail, the last) max bytes
// written to it, so a chatty tool cannot fill the harness's memory.
type limitedBuffer struct {
	buf  bytes.Buffer
	max  int
	tail bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	n := len(p)
	switch {
	case !b.tail:
		if room := b.max - b.buf.Len(); room > 0 {
			b.buf.Write(p[:min(room, len(p))])
		}
	default:
		if len(p) >= b.max {
			b.buf.Reset()
			p = p[len(p)-b.max:]
		} else if over := b.buf.Len() + len(p) - b.max; over > 0 {
			b.buf.Next(over)
		}
		b.buf.Write(p)
	}
	return n, nil
}

func (b *limitedBuffer) String() string { return b.buf.String() }
