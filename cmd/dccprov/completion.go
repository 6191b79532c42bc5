package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/template"

	"github.com/dccprov/dccprov/provision"
)

// runCompletion prints the completion script of a shell: bash only.
func runCompletion(ctx context.Context, e *env, args []string) error {
	fs := e.newFlagSet("completion")
	pos, err := e.parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "bash" {
		got := ""
		if len(pos) > 0 {
			got = fmt.Sprintf("unknown shell %q%s; ", pos[0], didYouMean(pos[0], []string{"bash"}, "completion "))
		}
		return usageErr("%sexpected 'completion bash'", got)
	}
	return writeBashCompletion(ctx, e.stdout, e.commands)
}

// completionData is what the bash script is made of: the commands, the
// subcommands of forms and ldap, the flags of each (from the flag set "-h"
// prints: the flag sets are the single source) and the problem codes.
type completionData struct {
	Commands []string
	Subs     map[string][]string // "forms" → list sign …
	Flags    map[string][]string // "check", "forms sign" → --json …
	Codes    []string
	Valued   []string // the flags that take a value, of any command
	Statuses []string // of forms list --status
}

// collectCompletion asks each command and subcommand for its flag set,
// with "-h" on a throwaway env: nothing is read or written.
func collectCompletion(ctx context.Context, commands []command) completionData {
	d := completionData{Subs: map[string][]string{}, Flags: map[string][]string{}}
	for _, c := range commands {
		d.Commands = append(d.Commands, c.Name)
	}
	d.Subs["ldap"] = ldapCommands
	d.Statuses = formStatuses
	for _, c := range formsCommands {
		d.Subs["forms"] = append(d.Subs["forms"], c.name)
	}
	valued := map[string]bool{}
	flagsOf := func(args ...string) []string {
		e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
		i := slices.IndexFunc(commands, func(c command) bool { return c.Name == args[0] })
		e.usage = commands[i].Usage
		_ = commands[i].Run(ctx, e, append(slices.Clone(args[1:]), "-h"))
		if e.helped == nil {
			return nil
		}
		var flags []string
		e.helped.VisitAll(func(f *flag.Flag) {
			name := "-" + f.Name // "-o": one letter, one dash
			if len(f.Name) > 1 {
				name = "-" + name
			}
			flags = append(flags, name)
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
				valued[name] = true
			}
		})
		slices.Sort(flags) // "--json" before "-o"
		return flags
	}
	for _, c := range commands {
		if subs, ok := d.Subs[c.Name]; ok {
			for _, s := range subs {
				d.Flags[c.Name+" "+s] = flagsOf(c.Name, s)
			}
			continue
		}
		d.Flags[c.Name] = flagsOf(c.Name)
	}
	d.Valued = slices.Sorted(maps.Keys(valued))
	for _, c := range slices.Sorted(maps.Keys(provision.Codes)) {
		d.Codes = append(d.Codes, string(c))
	}
	return d
}

// writeBashCompletion writes the bash completion script of commands to w.
func writeBashCompletion(ctx context.Context, w io.Writer, commands []command) error {
	var b bytes.Buffer
	if err := bashCompletion.Execute(&b, collectCompletion(ctx, commands)); err != nil {
		return fmt.Errorf("writing the completion script: %w", err)
	}
	_, err := w.Write(b.Bytes())
	return err
}

var bashCompletion = template.Must(template.New("bash").Funcs(template.FuncMap{
	"join":     func(s []string) string { return strings.Join(s, " ") },
	"trimDash": func(s string) string { return strings.TrimLeft(s, "-") },
	"sorted":   func(m map[string][]string) []string { return slices.Sorted(maps.Keys(m)) },
}).Parse(`# bash completion for dccprov. Load it with:
#   source <(dccprov completion bash)
# or install it for every user:
#   dccprov completion bash | sudo tee /etc/bash_completion.d/dccprov >/dev/null

_dccprov_refs() {
	# Form references from the store, quietly: nothing when there is none.
	local store=() i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case "${COMP_WORDS[i]}" in
		--store | -store | --config | -config) store+=("${COMP_WORDS[i]}" "${COMP_WORDS[i + 1]}") ;;
		esac
	done
	"${COMP_WORDS[0]}" forms list --json "${store[@]}" 2>/dev/null |
		sed -n 's/.*"ref": *"\([^"]*\)".*/\1/p'
}

_dccprov() {
	local cur="${COMP_WORDS[COMP_CWORD]}" prev=""
	((COMP_CWORD > 0)) && prev="${COMP_WORDS[COMP_CWORD - 1]}"
	COMPREPLY=()
	# The command and subcommand: the first words that are not flags.
	local cmd="" sub="" npos=0 i w
	for ((i = 1; i < COMP_CWORD; i++)); do
		w="${COMP_WORDS[i]}"
		if [[ $w == -* ]]; then
			# A flag that takes a value takes the next word, unless "=".
			case "${w/#--/-}" in
			{{range $i, $f := .Valued}}{{if $i}} | {{end}}-{{trimDash $f}}{{end}}) ((i++)) ;;
			esac
			continue
		fi
		if [[ -z $cmd ]]; then
			cmd="$w"
		elif [[ -z $sub && ($cmd == forms || $cmd == ldap) ]]; then
			sub="$w"
		else
			((npos++))
		fi
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--help {{join (index .Flags "version")}}" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "{{join .Commands}} help" -- "$cur"))
		fi
		return
	fi
	local subs=""
	case "$cmd" in
{{- range $c, $s := .Subs}}
	{{$c}}) subs="{{join $s}}" ;;
{{- end}}
	esac
	if [[ -n $subs && -z $sub ]]; then
		COMPREPLY=($(compgen -W "$subs --help" -- "$cur"))
		return
	fi
	local key="$cmd"
	[[ -n $sub ]] && key="$cmd $sub"
	local flags=""
	case "$key" in
{{- range $k := sorted .Flags}}
	"{{$k}}") flags="{{join (index $.Flags $k)}}" ;;
{{- end}}
	esac
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$flags --help" -- "$cur"))
		return
	fi
	# A flag that takes a value that is not a file.
	case "$prev" in
	--log-format) COMPREPLY=($(compgen -W "console json" -- "$cur")); return ;;
	--status) COMPREPLY=($(compgen -W "{{join .Statuses}}" -- "$cur")); return ;;
	--date | --operator | --signer | --reason | --sheet | --url | --base-dn | --bind-dn) return ;;
	esac
	case "$key" in
	explain)
		COMPREPLY=($(compgen -W "{{join .Codes}}" -- "$cur"))
		return ;;
	"completion")
		COMPREPLY=($(compgen -W "bash" -- "$cur"))
		return ;;
	"forms sign" | "forms reject" | "forms print")
		if ((npos == 0)); then
			COMPREPLY=($(compgen -W "$(_dccprov_refs)" -- "$cur"))
			return
		fi ;;
	version) return ;;
	esac
	COMPREPLY=($(compgen -f -- "$cur"))
	compopt -o filenames 2>/dev/null
}

complete -F _dccprov dccprov
`))
