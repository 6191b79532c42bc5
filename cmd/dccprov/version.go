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
	v := version
	if v == "" {
		v = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	if e.g.json {
		return writeJSON(e.stdout, map[string]string{"version": v})
	}
	fmt.Fprintf(e.stdout, "dccprov %s\n", v)
	return nil
}
