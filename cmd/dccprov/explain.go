package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dccprov/dccprov/provision"
)

func runExplain(ctx context.Context, e *env, args []string) error {
	fs := e.newFlagSet("explain")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		if e.g.json {
			var all []codeJSON
			for _, c := range slices.Sorted(maps.Keys(provision.Codes)) {
				all = append(all, newCodeJSON(c))
			}
			return writeJSON(e.stdout, all)
		}
		width := 26
		for c := range provision.Codes {
			width = max(width, len(c))
		}
		for _, c := range slices.Sorted(maps.Keys(provision.Codes)) {
			fmt.Fprintf(e.stdout, "%-*s %-8s %s\n", width, c, provision.Codes[c].Severity, provision.Codes[c].Title)
		}
		return nil
	}
	name, err := one(pos, "CODE")
	if err != nil {
		return err
	}
	code := provision.Code(strings.ToUpper(strings.TrimSpace(name)))
	info, ok := provision.Codes[code]
	if !ok {
		var names []string
		for _, c := range slices.Sorted(maps.Keys(provision.Codes)) {
			names = append(names, string(c))
		}
		return usageErr("unknown problem code %q%s; run 'dccprov explain' for the list", name, didYouMean(string(code), names, ""))
	}
	if e.g.json {
		return writeJSON(e.stdout, newCodeJSON(code))
	}
	sev := "erreur : la ligne est rejetée"
	switch info.Severity {
	case provision.SeverityWarning:
		sev = "avertissement : la ligne est acceptée"
	case provision.SeverityInfo:
		sev = "information : elle concerne la liste, aucune ligne n'est rejetée"
	}
	fmt.Fprintf(e.stdout, "%s (%s)\n\n%s\n\nExemple : %s\n\nComment corriger : %s\n", code, sev, info.Title, info.Example, info.Fix)
	return nil
}

// codeJSON is a catalogue entry as `explain --json` prints it.
type codeJSON struct {
	Code     provision.Code     `json:"code"`
	Severity provision.Severity `json:"severity"`
	Title    string             `json:"title"`
	Example  string             `json:"example"`
	Fix      string             `json:"fix"`
}

func newCodeJSON(c provision.Code) codeJSON {
	info := provision.Codes[c]
	return codeJSON{c, info.Severity, info.Title, info.Example, info.Fix}
}
