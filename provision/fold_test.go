package provision

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// foldReference is fold as first written, with a transformer chain per
// call: the fast fold must give the same text for every input.
func foldReference(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	s, _, _ = transform.String(t, s)
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r == 'œ':
			b.WriteString("oe")
		case r == 'æ':
			b.WriteString("ae")
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

var foldSeeds = []string{
	"", " ", "Infirmier", "INFIRMIÈRE DIPLÔMÉE D'ÉTAT", "Œdème  cœur", "Æther", "n\u0308", "Médecin — oncologue",
	"Tél.\u00a0portable", "ÉTABLISSEMENT(S)", "ǅemal", "İstanbul", "ﬁnance", "x\xff\xfey", "Ⅻ", "٣٤", "Straße",
	"  -- a -- b --  ", "CPS/e-CPS", "ŒUVRE", "æ-Œ", "\u0301abc", "a\u0301\u0302", "ẞ",
}

// A shortcut is a function written for speed and the plain one it must
// agree with on every input.
type shortcut struct {
	name      string
	got, want func(string) string
	seeds     []string
}

var (
	foldShortcut  = shortcut{"fold", fold, foldReference, foldSeeds}
	cleanShortcut = shortcut{"clean", clean, cleanReference, cleanSeeds}
	// Appended to bytes already there, as appendRowKey and dataHash do.
	lowerShortcut = shortcut{"appendLower",
		func(s string) string { return string(appendLower([]byte("pre"), s)) },
		func(s string) string { return "pre" + strings.ToLower(s) }, lowerSeeds}
)

// check fails t when the shortcut and its reference differ on s.
func (sc shortcut) check(t testing.TB, s string) {
	t.Helper()
	if got, want := sc.got(s), sc.want(s); got != want {
		t.Errorf("%s(%q) = %q; want %q (the reference implementation)", sc.name, s, got, want)
	}
}

func TestShortcutsMatchReference(t *testing.T) {
	t.Parallel()
	for _, sc := range []shortcut{foldShortcut, cleanShortcut, lowerShortcut} {
		for _, s := range sc.seeds {
			sc.check(t, s)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range foldSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		foldShortcut.check(t, s)
		got := fold(s)
		// On invalid UTF-8, NFD may leave a mark the second pass strips.
		if again := fold(got); utf8.ValidString(s) && again != got {
			t.Fatalf("fold(fold(%q)) = %q; want %q (idempotent)", s, again, got)
		}
	})
}

// cleanReference is clean without its fast paths: the fields of s between
// runs of white space, joined by single spaces.
func cleanReference(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u00a0' || r == '\u202f'
	}), " ")
}

var cleanSeeds = []string{
	"", " ", "  ", "a", " a", "a ", "a  b", "a b", "Hélène", "Hélène ", " Hélène", "Marie-Hélène  Dupont",
	"Jean\u00a0Pierre", "Jean\u202fPierre", "é\tè", "é\nè", "\u3000é", "é\u2003", "x\xff y", "\xff", "\xff ",
	"Ünal Çelik", "a\u0085b", "ǅ é",
}

func FuzzClean(f *testing.F) {
	for _, s := range cleanSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { cleanShortcut.check(t, s) })
}

var lowerSeeds = []string{"", "ABC", "Hélène", "HÉLÈNE", "İstanbul", "ẞ", "ǅemal", "x\xffY", "\xff", "K", "ΣΑΣ", "\ufffd"}

func FuzzAppendLower(f *testing.F) {
	for _, s := range lowerSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { lowerShortcut.check(t, s) })
}
