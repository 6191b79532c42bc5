package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// the module version from the build info is used.
var version = ""

func runVersion(ctx context.Context, e *env, args []string) error {
	fs := e.newFlagSet("version")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("version takes no argument, got %q", pos[0])
	}
	v, rev, modified := buildVersion()
	if e.g.json {
		return writeJSON(e.stdout, map[string]any{"version": v, "revision": rev, "modified": modified})
	}
	switch {
	case rev == "":
		fmt.Fprintf(e.stdout, "dccprov %s\n", v)
	case modified:
		fmt.Fprintf(e.stdout, "dccprov %s (revision %s, with local changes)\n", v, rev)
	default:
		fmt.Fprintf(e.stdout, "dccprov %s (revision %s)\n", v, rev)
	}
	return nil
}

// buildVersion returns the module version (-ldflags -X main.version
// first, then the build info, else "devel") and the VCS revision and
// whether the tree had local changes, from the build info that go build
// records in a git checkout.
func buildVersion() (v, rev string, modified bool) {
	v = version
	bi, ok := debug.ReadBuildInfo()
	if v == "" {
		v = "devel"
		if ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	if ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	return v, rev, modified
}
