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

func TestFoldMatchesReference(t *testing.T) {
	t.Parallel()
	for _, s := range foldSeeds {
		if got, want := fold(s), foldReference(s); got != want {
			t.Errorf("fold(%q) = %q; want %q (the reference implementation)", s, got, want)
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range foldSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := fold(s)
		if want := foldReference(s); got != want {
			t.Fatalf("fold(%q) = %q; want %q (the reference implementation)", s, got, want)
		}
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

func TestCleanMatchesReference(t *testing.T) {
	t.Parallel()
	for _, s := range cleanSeeds {
		if got, want := clean(s), cleanReference(s); got != want {
			t.Errorf("clean(%q) = %q; want %q (the reference implementation)", s, got, want)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range cleanSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := clean(s), cleanReference(s); got != want {
			t.Fatalf("clean(%q) = %q; want %q (the reference implementation)", s, got, want)
		}
	})
}

var lowerSeeds = []string{"", "ABC", "Hélène", "HÉLÈNE", "İstanbul", "ẞ", "ǅemal", "x\xffY", "\xff", "K", "ΣΑΣ", "\ufffd"}

func TestAppendLowerMatchesToLower(t *testing.T) {
	t.Parallel()
	for _, s := range lowerSeeds {
		if got, want := string(appendLower([]byte("pre"), s)), "pre"+strings.ToLower(s); got != want {
			t.Errorf("appendLower(%q) = %q; want %q (strings.ToLower)", s, got, want)
		}
	}
}

func FuzzAppendLower(f *testing.F) {
	for _, s := range lowerSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendLower(nil, s)), strings.ToLower(s); got != want {
			t.Fatalf("appendLower(%q) = %q; want %q (strings.ToLower)", s, got, want)
		}
	})
}
