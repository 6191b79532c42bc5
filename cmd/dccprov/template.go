package main

import (
	"context"
	"fmt"
	"io"

	"github.com/dccprov/dccprov/provision"
)

// loginModes are the values of the template's login-mode list.
var loginModes = []string{string(provision.LoginCPS), string(provision.LoginCPE), string(provision.LoginSMS), string(provision.LoginMail)}

func runTemplate(ctx context.Context, e *env, args []string) error {
	fs := e.newFlagSet("template")
	out := fs.String("o", "", "write the blank workbook to `FILE.xlsx`")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return usageErr("template takes no argument, got %q; use -o FILE.xlsx", pos)
	}
	if *out == "" {
		return usageErr("template needs -o FILE.xlsx, the workbook to write")
	}
	cfg, _, err := e.loadConfig()
	if err != nil {
		return err
	}
	profs, err := provision.ProfessionLabels(cfg)
	if err != nil {
		return err
	}
	lists := provision.TemplateLists{Professions: profs, LoginModes: loginModes}
	for _, h := range cfg.Habilitations {
		lists.Habilitations = append(lists.Habilitations, h.Label)
	}
	err = provision.WriteFileAtomic(*out, func(w io.Writer) error {
		return provision.WriteTemplate(w, lists, cfg.Date)
	})
	if err != nil {
		return fmt.Errorf("writing the template: %w", err)
	}
	e.log.Info().Str("file", *out).Msg("wrote blank staff-list template")
	return nil
}
