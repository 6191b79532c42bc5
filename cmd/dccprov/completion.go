package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/dccprov/dccprov/provision"
)

// completionCommands is [commands], set by init: the table refers to
// runCompletion, which reads it, and a direct reference would be an
// initialisation cycle.
var completionCommands []command

func init() { completionCommands = commands }

// runCompletion prints the shell completion script: only bash for now.
func runCompletion(ctx context.Context, e *env, args []string) error {
	fs := e.newFlagSet("completion")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "bash" {
		return usageErr("expected the shell: completion bash")
	}
	_, err = io.WriteString(e.stdout, bashCompletion(ctx, e))
	return err
}

// flagLine is a flag in the output of a flag set's -h: its name and, for
// a flag that takes a value, the value's placeholder.
var flagLine = regexp.MustCompile(`(?m)^  -([a-z][a-z0-9-]*)( \S+)?$`)

// helpFlags runs a command with -h, its output discarded but for the
// flags it lists: the flag sets are the one source of flag names. It
// returns them as "--name", and those that take a value.
// A one-letter flag is given as "-o"; valued has both spellings, as
// typed on the line.
func helpFlags(ctx context.Context, e *env, run func(context.Context, *env, []string) error, args ...string) (all, valued []string) {
	var buf bytes.Buffer
	he := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: &buf, getenv: e.getenv}
	_ = run(ctx, he, append(args, "-h")) // flag.ErrHelp
	for _, m := range flagLine.FindAllStringSubmatch(buf.String(), -1) {
		name := "--" + m[1]
		if len(m[1]) == 1 {
			name = "-" + m[1]
		}
		all = append(all, name)
		if m[2] != "" {
			valued = append(valued, "-"+m[1], "--"+m[1])
		}
	}
	return all, valued
}

// bashCompletion is the bash script: commands, the subcommands of forms
// and ldap, each command's flags, problem codes after explain, form REFs
// (from `dccprov forms list --json`, at completion time) after forms
// sign|reject|print, files elsewhere.
func bashCompletion(ctx context.Context, e *env) string {
	var b strings.Builder
	var names []string
	valued := map[string]bool{}
	flagCase := func(pattern string, run func(context.Context, *env, []string) error, args ...string) {
		all, val := helpFlags(ctx, e, run, args...)
		for _, v := range val {
			valued[v] = true
		}
		fmt.Fprintf(&b, "\t\t%s) flags=%q ;;\n", pattern, strings.Join(all, " "))
	}
	b.WriteString("\tcase \"$cmd $sub\" in\n")
	for _, c := range completionCommands {
		names = append(names, c.Name)
		switch c.Name {
		case "forms":
			for _, s := range formsCommands {
				flagCase(`"forms `+s.name+`"`, s.run)
			}
		case "ldap":
			flagCase(`"ldap "*`, c.Run, "plan")
		default:
			flagCase(`"`+c.Name+` "*`, c.Run)
		}
	}
	b.WriteString("\tesac\n")
	var subs []string
	for _, s := range formsCommands {
		subs = append(subs, s.name)
	}
	codes := slices.Sorted(maps.Keys(provision.Codes))
	return fmt.Sprintf(bashTemplate, strings.Join(names, " "), strings.Join(subs, " "),
		strings.Join(slices.Sorted(maps.Keys(valued)), " "), strings.Join(codesText(codes), " "), b.String())
}

func codesText(codes []provision.Code) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = string(c)
	}
	return out
}

// bashTemplate takes the commands, the forms subcommands, the flags that
// take a value, the problem codes and the case statement setting flags.
const bashTemplate = `# bash completion for dccprov: source <(dccprov completion bash)
_dccprov() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
	local cmd="" sub="" npos=0 i w flags=""
	local valued=" %[3]s "
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if [[ $w == -* ]]; then
			[[ $valued == *" $w "* ]] && ((i++))
			continue
		fi
		((npos++))
		if [[ -z $cmd ]]; then cmd=$w; elif [[ -z $sub ]]; then sub=$w; fi
	done
	COMPREPLY=()
	if [[ $prev == -* && $valued == *" $prev "* ]]; then
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--config --store --json --log-format --quiet --no-progress --date --operator --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "%[1]s help" -- "$cur"))
		fi
		return
	fi
	if [[ $cur == -* ]]; then
%[5]s		COMPREPLY=($(compgen -W "$flags" -- "$cur"))
		return
	fi
	case $cmd in
	explain)
		((npos == 1)) && COMPREPLY=($(compgen -W "%[4]s" -- "$cur"))
		return ;;
	forms)
		if ((npos == 1)); then
			COMPREPLY=($(compgen -W "%[2]s" -- "$cur"))
		elif ((npos == 2)) && [[ $sub == sign || $sub == reject || $sub == print ]]; then
			local refs
			refs=$("${COMP_WORDS[0]}" forms list --json 2>/dev/null | sed -n 's/^ *"ref": "\([^"]*\)".*/\1/p')
			COMPREPLY=($(compgen -W "$refs" -- "$cur"))
		fi
		return ;;
	ldap)
		if ((npos == 1)); then
			COMPREPLY=($(compgen -W "plan apply" -- "$cur"))
		else
			COMPREPLY=($(compgen -d -- "$cur"))
		fi
		return ;;
	completion)
		((npos == 1)) && COMPREPLY=($(compgen -W "bash" -- "$cur"))
		return ;;
	version | help)
		return ;;
	esac
	COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -o bashdefault -F _dccprov dccprov
`
