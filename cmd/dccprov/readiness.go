package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/provision/store"
)

// readinessJSON is what `readiness --json` prints.
type readinessJSON struct {
	Establishments []readinessLatest  `json:"establishments"`
	History        []readinessHistory `json:"history,omitzero"` // nil without --history
}

// readinessLatest is the latest known readiness of one establishment: its
// status, the items not ready and the run that evaluated it.
type readinessLatest struct {
	FINESS  string                    `json:"finess"`
	Name    string                    `json:"name"`
	Status  provision.ReadinessStatus `json:"status"`
	Date    string                    `json:"date"`
	Run     int64                     `json:"run"`
	Missing []string                  `json:"missing"`
	Items   []provision.ReadinessItem `json:"items"` // the items not ready
}

// readinessHistory is one establishment's statuses over the runs, oldest
// first.
type readinessHistory struct {
	FINESS string           `json:"finess"`
	Name   string           `json:"name"`
	Runs   []readinessAtRun `json:"runs"`
}

type readinessAtRun struct {
	Date   string                    `json:"date"`
	Run    int64                     `json:"run"`
	Status provision.ReadinessStatus `json:"status"`
}

// runReadiness prints the latest readiness of every establishment the
// store knows, and with --history their statuses over the runs. It only
// reads the store: the contacts of the checklists are never printed.
func runReadiness(ctx context.Context, e *env, args []string) error {
	fs := e.newFlagSet("readiness")
	finess := fs.String("finess", "", "show only the establishment with FINESS `F`")
	history := fs.Bool("history", false, "also show each establishment's statuses over the runs")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("readiness takes no argument, got %q; use --finess F for one establishment", pos)
	}
	f := strings.TrimSpace(*finess)
	if *finess != "" && f == "" {
		return usageErr("--finess needs a FINESS number")
	}
	if _, _, err := e.loadConfig(); err != nil {
		return err
	}
	st, err := e.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	recs, err := st.Readiness(ctx, f)
	if err != nil {
		return err
	}
	if f != "" && len(recs) == 0 {
		return usageErr("no readiness recorded for FINESS %s in %s; run 'dccprov readiness' to see the establishments", f, e.g.store)
	}
	out := readinessJSON{Establishments: []readinessLatest{}}
	for _, r := range recs {
		l := readinessLatest{FINESS: r.FINESS, Name: r.Name, Status: r.Status, Date: r.Date, Run: r.Run,
			Missing: r.Readiness.Missing, Items: []provision.ReadinessItem{}}
		if l.Missing == nil {
			l.Missing = []string{}
		}
		for _, it := range r.Readiness.Items {
			if it.Status != provision.Ready {
				l.Items = append(l.Items, it)
			}
		}
		out.Establishments = append(out.Establishments, l)
	}
	if *history {
		hist, err := st.ReadinessHistory(ctx, f)
		if err != nil {
			return err
		}
		out.History = groupHistory(hist)
	}
	if e.g.json {
		if *history && out.History == nil {
			out.History = []readinessHistory{}
		}
		return writeJSON(e.stdout, out)
	}
	if len(recs) == 0 {
		e.log.Info().Msg("no readiness recorded yet: each run records it for the establishments of its list")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FINESS\tESTABLISHMENT\tSTATUS\tDATE\tMISSING")
	for _, l := range out.Establishments {
		missing := "-"
		if len(l.Missing) > 0 {
			missing = strings.Join(l.Missing, " ; ")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.FINESS, l.Name, l.Status, l.Date, missing)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !*history {
		return nil
	}
	fmt.Fprintln(e.stdout, "\nHistory:")
	tw = tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FINESS\tESTABLISHMENT\tSTATUSES")
	for _, h := range out.History {
		var runs []string
		for _, r := range h.Runs {
			runs = append(runs, r.Date+" "+string(r.Status))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", h.FINESS, h.Name, strings.Join(runs, " → "))
	}
	return tw.Flush()
}

// groupHistory groups the records, sorted by establishment then run, by
// establishment; the name is the latest one.
func groupHistory(recs []store.ReadinessRecord) []readinessHistory {
	var out []readinessHistory
	for _, r := range recs {
		if len(out) == 0 || out[len(out)-1].FINESS != r.FINESS {
			out = append(out, readinessHistory{FINESS: r.FINESS})
		}
		h := &out[len(out)-1]
		h.Name = r.Name
		h.Runs = append(h.Runs, readinessAtRun{Date: r.Date, Run: r.Run, Status: r.Status})
	}
	return out
}
