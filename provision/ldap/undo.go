package ldap

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/dccprov/dccprov/provision"
)

// UndoName is the base name of the undo file for date, before any suffix.
func UndoName(date time.Time) string {
	return "ldap-undo-" + date.Format("20060102T150405") + ".ldif"
}

// writeUndo writes, whole or not at all and with mode 0600, the LDIF that
// restores every entry cs touches, and returns its path. An existing file
// is never overwritten: the name gets a suffix -2, -3, …
func writeUndo(dir string, date time.Time, cs *Changeset) (string, error) {
	out, err := provision.OpenOutDir(dir)
	if err != nil {
		return "", fmt.Errorf("writing the undo file: %w", err)
	}
	defer out.Close()
	base := UndoName(date)
	ext := filepath.Ext(base)
	for n := 1; n < 1000; n++ {
		name := base
		if n > 1 {
			name = base[:len(base)-len(ext)] + "-" + strconv.Itoa(n) + ext
		}
		err := out.WriteNewFile(name, func(w io.Writer) error { return WriteUndo(w, date, cs) })
		if err == nil {
			return filepath.Join(dir, name), out.Commit()
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("writing the undo file: %w", err)
		}
	}
	return "", fmt.Errorf("writing the undo file: too many undo files named %s-N%s in %s", base[:len(base)-len(ext)], ext, dir)
}

// rewriteUndo replaces the undo file at path, which writeUndo wrote, once
// Apply knows better what some changes did (an add that became a modify).
func rewriteUndo(path string, date time.Time, cs *Changeset) error {
	out, err := provision.OpenOutDir(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("rewriting the undo file: %w", err)
	}
	defer out.Close()
	if err := out.WriteFile(filepath.Base(path), func(w io.Writer) error { return WriteUndo(w, date, cs) }); err != nil {
		return fmt.Errorf("rewriting the undo file: %w", err)
	}
	return out.Commit()
}

// WriteUndo writes the change records (RFC 2849) that undo cs, in reverse
// order: groups, then people, then containers. An added entry is deleted;
// a modified one gets back the previous values of each attribute touched.
func WriteUndo(w io.Writer, date time.Time, cs *Changeset) error {
	lw := &ldifWriter{w: w}
	lw.line("# dccprov ldap undo — " + date.Format(time.DateOnly) + " — load with ldapmodify -f")
	lw.line("version: 1")
	for _, c := range slices.Backward(cs.Changes) {
		lw.line("")
		lw.attr("dn", c.DN)
		if c.Op == OpAdd {
			lw.line("changetype: delete")
			continue
		}
		lw.line("changetype: modify")
		for _, b := range c.before {
			lw.line("replace: " + b.Name)
			for _, v := range b.Values {
				lw.attr(b.Name, v)
			}
			lw.line("-")
		}
	}
	return lw.err
}

type ldifWriter struct {
	w   io.Writer
	err error
}

func (lw *ldifWriter) line(s string) {
	if lw.err == nil {
		_, lw.err = io.WriteString(lw.w, s+"\n")
	}
}

// attr writes "name: value", or "name:: base64" when the value is not a
// safe string, folded at 76 columns.
func (lw *ldifWriter) attr(name, value string) {
	s := name + ": " + value
	if !safeString(value) {
		s = name + ":: " + base64.StdEncoding.EncodeToString([]byte(value))
	}
	for len(s) > 76 {
		lw.line(s[:76])
		s = " " + s[76:]
	}
	lw.line(s)
}

// safeString is RFC 2849's SAFE-STRING, also refusing a trailing space.
func safeString(v string) bool {
	if v == "" {
		return true
	}
	if v[0] == ' ' || v[0] == ':' || v[0] == '<' || v[len(v)-1] == ' ' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c == 0 || c == '\n' || c == '\r' || c > 0x7f {
			return false
		}
	}
	return true
}
