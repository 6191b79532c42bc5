package provision

import (
	"bytes"
	"cmp"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// LoadHabilitations decodes a habilitation catalogue (YAML list of
// [HabilitationDef]) strictly: an unknown key is an error.
func LoadHabilitations(data []byte) ([]HabilitationDef, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var defs []HabilitationDef
	if err := dec.Decode(&defs); err != nil {
		return nil, fmt.Errorf("decoding habilitation catalogue: %w", err)
	}
	if err := CheckHabilitations(defs); err != nil {
		return nil, err
	}
	return defs, nil
}

// DefaultHabilitations reads the catalogue embedded in templates.
func DefaultHabilitations(templates fs.FS) ([]HabilitationDef, error) {
	data, err := fs.ReadFile(templates, "habilitations.yaml")
	if err != nil {
		return nil, fmt.Errorf("reading embedded habilitation catalogue: %w", err)
	}
	return LoadHabilitations(data)
}

// CheckHabilitations reports the first inconsistency of a catalogue: a
// missing or malformed code, a missing label, a duplicate code, no holders
// or a holder that is not "anyone", "health" or a TRE_G15 profession code.
// A code names an LDAP group (cn=CODE) and a CSV value, so it is kept to
// capital letters, digits and underscores.
func CheckHabilitations(defs []HabilitationDef) error {
	seen := map[string]bool{}
	for i, d := range defs {
		switch {
		case d.Code == "":
			return fmt.Errorf("habilitation %d has no code", i+1)
		case !isCatalogueCode(d.Code):
			return fmt.Errorf("habilitation code %q must be made of capital letters, digits and _ (such as ACCES_ETENDU)", d.Code)
		case d.Label == "":
			return fmt.Errorf("habilitation %s has no label", d.Code)
		case len(d.Holders) == 0:
			return fmt.Errorf("habilitation %s has no holders (use [anyone])", d.Code)
		case seen[d.Code]:
			return fmt.Errorf("habilitation %s is listed twice", d.Code)
		}
		for _, h := range d.Holders {
			if h != "anyone" && h != "health" && !isProfessionCode(h) {
				return fmt.Errorf("habilitation %s: holder %q is not anyone, health or a TRE_G15 profession code such as \"10\"", d.Code, h)
			}
		}
		seen[d.Code] = true
	}
	if len(defs) == 0 {
		return fmt.Errorf("the habilitation catalogue is empty")
	}
	return nil
}

func isCatalogueCode(s string) bool {
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return s != ""
}

// isProfessionCode reports whether s has the shape of a TRE_G15 code (two
// digits, such as "10" for Médecin).
func isProfessionCode(s string) bool {
	return len(s) == 2 && allDigits(s)
}

// How the names of the catalogues (headers, professions, login modes,
// habilitations) are matched, and which ones a "did you mean" offers.

// articleWords are the prepositions and articles a name may carry or not
// ("N° de portable", "Nom de l'établissement", "Secrétaire de RCP"): they
// are folded away like punctuation.
var articleWords = []string{"de", "du", "d", "des", "la", "le", "l", "les"}

// inclusiveEndings are what inclusive writing leaves after a word once
// folded: the "e" of "Infirmier(e)", "Diplômé·e" or "diplômé-e", the "ne"
// of "Pharmacien(ne)", the "trice" of "Manipulateur(trice)", the "ère" of
// "Infirmier·ère", the "s" of "Habilitation(s)". They are dropped after
// another word (a first "e" stays: "e-CPS", "E-mail").
var inclusiveEndings = []string{
	"e", "es", "s", "ne", "nes", "le", "les", "trice", "trices", "rice", "ice", "ere", "eres", "euse", "se", "x",
}

// feminineEndings turn the feminine of a folded word into its masculine,
// the form the catalogues are matched in: pharmacienne → pharmacien,
// manipulatrice → manipulateur, infirmière → infirmier, médicale → médical.
// Both sides of a comparison go through it, so a stem it mangles
// ("active" → "actif") still matches itself.
var feminineEndings = []struct{ f, m string }{
	{"ienne", "ien"}, {"trice", "teur"}, {"iere", "ier"}, {"euse", "eur"}, {"eure", "eur"},
	{"elle", "el"}, {"ee", "e"}, {"ale", "al"}, {"ive", "if"}, {"ante", "ant"}, {"ente", "ent"},
}

// ordinals are the "º" of "Nº", a letter to Unicode but a mark to a
// referent: "Nº RPPS" is "N° RPPS".
var ordinals = strings.NewReplacer("º", " ", "ª", " ")

// matchKey returns the key a name is matched by: s folded ([fold]), the
// words of drop and the [inclusiveEndings] removed, each word in its
// singular masculine form ([baseWord]). "Numéro de téléphone portable" and
// "numero telephone portables" have one key, as have "Infirmier·ère",
// "Infirmières" and "infirmier".
//
// It costs a fold and a split: callers compute it once per distinct value
// (a memo, or once per header cell), never per row.
func matchKey(s string, drop []string) string {
	if strings.ContainsAny(s, "ºª") {
		s = ordinals.Replace(s)
	}
	words := strings.Fields(fold(s))
	out := words[:0]
	skip := func(w string) bool {
		return slices.Contains(drop, w) || len(out) > 0 && slices.Contains(inclusiveEndings, w)
	}
	for _, w := range words {
		if skip(w) {
			continue
		}
		// Until it holds, and the result is tested again, so that a key is
		// its own key ("00eee" → "00ee" → "00e"; "ices" → "ice").
		for b := baseWord(w); b != w; b = baseWord(w) {
			w = b
		}
		if !skip(w) {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}

// baseWord returns folded word w in the singular ("infirmieres" →
// "infirmiere", "medicaux" → "medical") and the masculine
// ([feminineEndings]). Words of three letters or fewer are kept as they are
// ("sms", "cps", "ide"); so is a final "ss" ("finess").
func baseWord(w string) string {
	switch {
	case len(w) > 4 && strings.HasSuffix(w, "aux"):
		return w[:len(w)-3] + "al"
	case len(w) > 3 && w[len(w)-1] == 's' && w[len(w)-2] != 's':
		w = w[:len(w)-1]
	}
	for _, e := range feminineEndings {
		if len(w) > len(e.f)+1 && strings.HasSuffix(w, e.f) {
			return w[:len(w)-len(e.f)] + e.m
		}
	}
	return w
}

// suggestion is one entry a "did you mean" may offer: the label shown, the
// keys ([matchKey]) of every name it is known by (the label's first), and
// whether granting it needs the director's signature. Entries of one group
// (labels of one profession) are offered once, by the best of them.
type suggestion struct {
	label     string
	keys      []string
	signature bool
	group     string
}

// suggester offers the entries close to a value that matched none.
// "Close" is either of:
//
//   - within a few typing errors ([maxTypos]) of one of the entry's names,
//     its first letter right (a slip rarely hits the first letter, and
//     "Astrologue" is no "Gastrologue");
//   - sharing a word of three letters or more with one of them (not an
//     article or a conjunction), a word of six or more allowing one typo
//     after a right first letter.
//
// An entry that needs a signature is offered on a shared word only when no
// other entry has that word: "Médecin de l'établissement" typed as a
// habilitation offers neither "Accès étendu aux dossiers de l'établissement"
// nor "Administrateur local de l'établissement". An unrelated value
// ("Super-utilisateur", a specialty) is offered nothing.
type suggester struct {
	entries []suggestion
	owners  map[string]int // word → how many entries have it
}

// suggestionStopWords are never a shared word.
var suggestionStopWords = []string{"et", "ou", "en", "au", "aux", "a", "pour", "par", "sur", "avec", "the", "of", "and"}

func newSuggester(entries []suggestion) *suggester {
	s := &suggester{entries: entries, owners: map[string]int{}}
	for _, e := range entries {
		seen := map[string]bool{}
		for _, k := range e.keys {
			for w := range strings.FieldsSeq(k) {
				if significant(w) && !seen[w] {
					seen[w] = true
					s.owners[w]++
				}
			}
		}
	}
	return s
}

func significant(w string) bool {
	return utf8.RuneCountInString(w) >= 3 && !slices.Contains(suggestionStopWords, w)
}

// maxTypos is how many edits a name of n letters may be from a value to be
// offered for it: none for an abbreviation, up to three for a long label.
func maxTypos(n int) int {
	switch {
	case n <= 3:
		return 0
	case n <= 5:
		return 1
	case n <= 10:
		return 2
	default:
		return 3
	}
}

// nearest returns the labels, at most k and best first, of the entries
// close to v (see [suggester]); none when no entry is close.
func (s *suggester) nearest(v string, k int) []string {
	key := matchKey(v, articleWords)
	if key == "" {
		return nil
	}
	vw := slices.DeleteFunc(strings.Fields(key), func(w string) bool { return !significant(w) })
	type cand struct {
		label, group  string
		typos, shared int // typos -1: not close by typos
		d, dl         int // edits to the closest name, to the label
	}
	var cs []cand
	for _, e := range s.entries {
		c := cand{label: e.label, group: e.group, typos: -1, d: -1}
		if len(e.keys) > 0 {
			c.dl = distance(key, e.keys[0])
		}
		for _, ek := range e.keys {
			d := distance(key, ek)
			if c.d < 0 || d < c.d {
				c.d = d
			}
			if d <= maxTypos(min(utf8.RuneCountInString(key), utf8.RuneCountInString(ek))) && sameFirst(key, ek) &&
				(c.typos < 0 || d < c.typos) {
				c.typos = d
			}
			c.shared = max(c.shared, s.sharedWords(vw, ek, e.signature))
		}
		if c.typos >= 0 || c.shared > 0 {
			cs = append(cs, c)
		}
	}
	slices.SortStableFunc(cs, func(a, b cand) int {
		if (a.typos >= 0) != (b.typos >= 0) {
			if a.typos >= 0 {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.typos, b.typos), cmp.Compare(b.shared, a.shared), cmp.Compare(a.d, b.d),
			cmp.Compare(a.dl, b.dl))
	})
	var out, groups []string
	for _, c := range cs {
		if len(out) == k {
			break
		}
		if slices.Contains(out, c.label) || c.group != "" && slices.Contains(groups, c.group) {
			continue
		}
		out = append(out, c.label)
		groups = append(groups, c.group)
	}
	return out
}

// sharedWords counts the words of vw that name key has too (a word of six
// letters or more within one typo). For an entry needing a signature, only
// the words no other entry has count.
func (s *suggester) sharedWords(vw []string, key string, signature bool) int {
	n := 0
	for _, w := range vw {
		for kw := range strings.FieldsSeq(key) {
			if !significant(kw) || signature && s.owners[kw] > 1 {
				continue
			}
			if w == kw || utf8.RuneCountInString(w) >= 6 && utf8.RuneCountInString(kw) >= 6 && sameFirst(w, kw) && distance(w, kw) <= 1 {
				n++
				break
			}
		}
	}
	return n
}

// sameFirst reports whether a and b start with the same letter.
func sameFirst(a, b string) bool {
	ra, _ := utf8.DecodeRuneInString(a)
	rb, _ := utf8.DecodeRuneInString(b)
	return ra == rb
}
