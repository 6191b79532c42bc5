package main

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/dccprov/dccprov/samples/biglist"
)

// result is the measurement of one tool on one list.
type result struct {
	size int
	mix  string
	tool string
	measurement
}

func (r result) summary() string {
	s := fmt.Sprintf("%s, %.2f s, %.0f MiB", r.status, r.wall.Seconds(), mib(r.maxRSS))
	if r.note != "" {
		s += ": " + r.note
	}
	return s
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

// results indexes results by list and tool.
type results map[[3]string]result

func key(size int, mix, tool string) [3]string { return [3]string{strconv.Itoa(size), mix, tool} }

func (rs results) get(size int, mix, tool string) (result, bool) {
	r, ok := rs[key(size, mix, tool)]
	return r, ok
}

// ratio returns r's wall time over that of tool on the same list, "—"
// when either did not do its job.
func (rs results) ratio(r result, tool string) string {
	base, ok := rs.get(r.size, r.mix, tool)
	if !ok || !base.ok() || !r.ok() || base.wall <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.2f", r.wall.Seconds()/base.wall.Seconds())
}

func report(w io.Writer, head string, list []result) error {
	bw := bufio.NewWriter(w)
	rs := results{}
	for _, r := range list {
		rs[key(r.size, r.mix, r.tool)] = r
	}
	fmt.Fprintf(bw, "%s\n\n", head)
	fmt.Fprintln(bw, "| size | list | tool | status | wall s | peak RSS MiB | × floor | × xlsx2csv |")
	fmt.Fprintln(bw, "|---:|---|---|---|---:|---:|---:|---:|")
	var notes []string
	for _, r := range list {
		wall := fmt.Sprintf("%.3f", r.wall.Seconds())
		rss := fmt.Sprintf("%.1f", mib(r.maxRSS))
		switch r.status {
		case statusMissing:
			wall, rss = "—", "—"
		case statusTimeout:
			wall = "> " + wall
		}
		fmt.Fprintf(bw, "| %d | %s | %s | %s | %s | %s | %s | %s |\n",
			r.size, r.mix, r.tool, r.status, wall, rss, rs.ratio(r, toolFloor), rs.ratio(r, toolXLSX2CSV))
		if r.note != "" {
			notes = append(notes, fmt.Sprintf("- %d %s, %s: %s", r.size, r.mix, r.tool, r.note))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintf(bw, "\n%s\n", strings.Join(notes, "\n"))
	}
	fmt.Fprint(bw, "\nGoals (check and run are dccprov's, on the .xlsx unless said):\n\n")
	for _, g := range goals(rs, list) {
		fmt.Fprintln(bw, g)
	}
	return bw.Flush()
}

// goals evaluates the performance goals on what was measured.
func goals(rs results, list []result) []string {
	var out []string
	add := func(what string, holds bool, why string, measured bool) {
		switch {
		case !measured:
			out = append(out, fmt.Sprintf("- n/a: %s (%s)", what, why))
		case holds:
			out = append(out, fmt.Sprintf("- holds: %s (%s)", what, why))
		default:
			out = append(out, fmt.Sprintf("- **MISSED**: %s (%s)", what, why))
		}
	}
	// failed explains a measurement that did not do its job.
	failed := func(r result, ok bool) string {
		if !ok {
			return "not measured"
		}
		return r.tool + " " + r.status
	}
	const small, big = 100_000, 1_000_000
	realistic, heavy := biglist.Realistic, biglist.Heavy

	c, okC := rs.get(small, realistic, toolCheckX)
	x, okX := rs.get(small, realistic, toolXLSX2CSV)
	switch {
	case !okC:
		add("check of the 100000-row realistic xlsx at least 3× faster than xlsx2csv and within 128 MiB", false, "no 100000-row run", false)
	case !c.ok() || !x.ok():
		add("check of the 100000-row realistic xlsx at least 3× faster than xlsx2csv", false, failed(c, okC)+", "+failed(x, okX), true)
		add("check of the 100000-row realistic xlsx within 128 MiB", c.ok() && mib(c.maxRSS) <= 128, fmt.Sprintf("%.1f MiB, %s", mib(c.maxRSS), c.status), true)
	default:
		speed := fmt.Sprintf("%.2f× faster", x.wall.Seconds()/c.wall.Seconds())
		if c.wall > x.wall {
			speed = fmt.Sprintf("%.2f× slower", c.wall.Seconds()/x.wall.Seconds())
		}
		add("check of the 100000-row realistic xlsx at least 3× faster than xlsx2csv", 3*c.wall <= x.wall,
			fmt.Sprintf("%.2f s vs %.2f s: %s", c.wall.Seconds(), x.wall.Seconds(), speed), true)
		add("check of the 100000-row realistic xlsx within 128 MiB", mib(c.maxRSS) <= 128, fmt.Sprintf("%.1f MiB", mib(c.maxRSS)), true)
	}

	sizes := []int{}
	for _, r := range list {
		if len(sizes) == 0 || sizes[len(sizes)-1] != r.size {
			sizes = append(sizes, r.size)
		}
	}
	for _, size := range sizes {
		for _, mix := range []string{realistic, heavy} {
			r, okR := rs.get(size, mix, toolRunX)
			c, okC := rs.get(size, mix, toolCheckX)
			what := fmt.Sprintf("run ≤ 1.5× check, %d %s xlsx", size, mix)
			if !r.ok() || !c.ok() {
				add(what, false, failed(r, okR)+", "+failed(c, okC), true)
				continue
			}
			add(what, r.wall.Seconds() <= 1.5*c.wall.Seconds(), fmt.Sprintf("%.2f s vs %.2f s: %.2f×", r.wall.Seconds(), c.wall.Seconds(), r.wall.Seconds()/c.wall.Seconds()), true)
		}
	}

	if _, ok := rs.get(big, realistic, toolCheckX); !ok {
		add("1000000 rows: check within 256 MiB and ≤ 4× the Go-csv floor", false, "no 1000000-row run", false)
	}
	for _, tool := range []string{toolCheckX, toolCheckC} {
		c, okC := rs.get(big, realistic, tool)
		if !okC {
			continue
		}
		f, okF := rs.get(big, realistic, toolFloor)
		what := fmt.Sprintf("1000000 rows realistic: %s within 256 MiB", tool)
		add(what, c.ok() && mib(c.maxRSS) <= 256, fmt.Sprintf("%.1f MiB, %s", mib(c.maxRSS), c.status), true)
		what = fmt.Sprintf("1000000 rows realistic: %s ≤ 4× the Go-csv floor", tool)
		if !c.ok() || !f.ok() {
			add(what, false, failed(c, okC)+", "+failed(f, okF), true)
			continue
		}
		add(what, c.wall.Seconds() <= 4*f.wall.Seconds(), fmt.Sprintf("%.2f s vs %.2f s: %.2f×", c.wall.Seconds(), f.wall.Seconds(), c.wall.Seconds()/f.wall.Seconds()), true)
	}

	for _, size := range sizes {
		for _, tool := range []string{toolCheckX, toolCheckC, toolRunX} {
			h, okH := rs.get(size, heavy, tool)
			r, okR := rs.get(size, realistic, tool)
			what := fmt.Sprintf("heavy ≤ 2× realistic, %d rows, %s", size, tool)
			if !h.ok() || !r.ok() {
				add(what, false, failed(h, okH)+", "+failed(r, okR), true)
				continue
			}
			add(what, h.wall.Seconds() <= 2*r.wall.Seconds(), fmt.Sprintf("%.2f s vs %.2f s: %.2f×", h.wall.Seconds(), r.wall.Seconds(), h.wall.Seconds()/r.wall.Seconds()), true)
		}
	}
	return out
}
