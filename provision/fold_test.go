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
