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
		for _, c := range slices.Sorted(maps.Keys(provision.Codes)) {
			fmt.Fprintf(e.stdout, "%-26s %-8s %s\n", c, provision.Codes[c].Severity, provision.Codes[c].Title)
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
		return usageErr("unknown problem code %q; run 'dccprov explain' for the list", name)
	}
	sev := "erreur : la ligne est rejetée"
	if info.Severity == provision.SeverityWarning {
		sev = "avertissement : la ligne est acceptée"
	}
	fmt.Fprintf(e.stdout, "%s (%s)\n\n%s\n\nExemple : %s\n\nComment corriger : %s\n", code, sev, info.Title, info.Example, info.Fix)
	return nil
}
