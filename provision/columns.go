package provision

import (
	"bytes"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/dccprov/dccprov/templates"
)

// headerIndex is the header synonyms of templates/headers.yaml, by
// [headerKey]. It is built once and never written.
type headerIndex struct {
	fields     map[string]Field // header key → field
	noise      []string         // keys of the noise words
	noiseWords []string         // the noise words as written
	// defs are the synonyms as written, by field in file order (the
	// README's list).
	defs []headerDef
}

// headerDef is one field's entry of templates/headers.yaml.
type headerDef struct {
	Field   Field    `yaml:"field"`
	Headers []string `yaml:"headers"`
}

// headerFile is templates/headers.yaml.
type headerFile struct {
	Noise  []string    `yaml:"noise"`
	Fields []headerDef `yaml:"fields"`
}

// loadHeaders decodes the header synonyms of templates strictly: an
// unknown key or field, an empty header, or two headers of different
// fields with one key is an error.
func loadHeaders(templates fs.FS) (*headerIndex, error) {
	data, err := fs.ReadFile(templates, "headers.yaml")
	if err != nil {
		return nil, fmt.Errorf("reading header synonyms: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var hf headerFile
	if err := dec.Decode(&hf); err != nil {
		return nil, fmt.Errorf("decoding header synonyms: %w", err)
	}
	h := &headerIndex{fields: map[string]Field{}, defs: hf.Fields, noiseWords: hf.Noise}
	for _, w := range hf.Noise {
		if k := headerKey(w); k != "" {
			h.noise = append(h.noise, k)
		}
	}
	for _, d := range hf.Fields {
		if !slices.Contains(Fields, d.Field) {
			return nil, fmt.Errorf("header synonyms: unknown field %q", d.Field)
		}
		if err := addHeaderKeys(h.fields, "header synonyms", d.Field, d.Headers); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// defaultHeaders is the header index of the embedded templates. Header
// recognition has no [Config.Templates] at hand (it runs while a file is
// sniffed), so it reads the embedded file, once; the file is tested, so a
// failure here is a broken build.
var defaultHeaders = sync.OnceValue(func() *headerIndex {
	h, err := loadHeaders(templates.FS)
	if err != nil {
		panic(err)
	}
	return h
})

// headerKey returns the key headers are compared by: [NormHeader] without
// articles, plurals, inclusive endings and feminine forms ([matchKey]).
// "N° de portable" and "N° portable", "Adresses e-mail" and "Adresse mail"
// have one key.
func headerKey(s string) string { return matchKey(s, articleWords) }

// FieldNames are the French column names of the blank template, used to
// name a missing column. It is never written.
var FieldNames = map[Field]string{
	FieldBirthName:     "Nom de naissance",
	FieldUsageName:     "Nom d'usage",
	FieldFirstName:     "Prénom",
	FieldEmail:         "Adresse mail professionnelle",
	FieldMobile:        "Tél. portable",
	FieldProfession:    "Profession",
	FieldSpecialty:     "Spécialité",
	FieldID:            "N° RPPS/ADELI",
	FieldEstablishment: "Établissement",
	FieldFINESS:        "FINESS",
	FieldHabilitations: "Habilitation(s)",
	FieldLoginMode:     "Mode de connexion",
}

// NormHeader returns the form headers are compared in: lower case, no
// accents, every run of punctuation or spaces turned into one space, trimmed.
// "N° RPPS" and "n rpps" are the same header. It is the folding values are
// compared in ([fold]), so headers and cells follow one rule.
func NormHeader(s string) string { return fold(s) }

// headerField returns the field of header h, honouring the configured
// mapping first, or "" when the header is not recognised.
func headerField(h string, custom map[string]Field) Field {
	return defaultHeaders().field(h, custom)
}

// field returns the field of header h (see [headerField]).
func (x *headerIndex) field(h string, custom map[string]Field) Field {
	return matchHeader(h, x.fields, x.noise, func(n string) (Field, bool) {
		for _, k := range slices.Sorted(maps.Keys(custom)) {
			if headerKey(k) == n {
				return custom[k], true
			}
		}
		return "", false
	})
}

// addHeaderKeys indexes the headers names of field f in fields by their
// [headerKey]: a header that is only punctuation or articles, or one key
// given to two fields, is an error of the file what.
func addHeaderKeys[F ~string](fields map[string]F, what string, f F, names []string) error {
	for _, name := range names {
		k := headerKey(name)
		if k == "" {
			return fmt.Errorf("%s: %s: header %q is only punctuation or articles", what, f, name)
		}
		if g, dup := fields[k]; dup && g != f {
			return fmt.Errorf("%s: %q is listed for %s and %s", what, name, g, f)
		}
		fields[k] = f
	}
	return nil
}

// matchHeader returns the field of header h in fields (header key →
// field), custom (nil for none) asked first: the header's key, else the
// header without its parenthesised hint ("Courriel (obligatoire)",
// "Prénom *", "Tél. portable (06…)"), else its key without the noise
// words. "" when none matches.
func matchHeader[F ~string](h string, fields map[string]F, noise []string, custom func(key string) (F, bool)) F {
	n := headerKey(h)
	if n == "" {
		return ""
	}
	if custom != nil {
		if f, ok := custom(n); ok {
			return f
		}
	}
	if f, ok := fields[n]; ok {
		return f
	}
	if i := strings.IndexAny(h, "([*"); i > 0 {
		if f := matchHeader(h[:i], fields, noise, custom); f != "" {
			return f
		}
	}
	words := strings.Fields(n)
	words = slices.DeleteFunc(words, func(w string) bool { return slices.Contains(noise, w) })
	if m := strings.Join(words, " "); m != n {
		return fields[m]
	}
	return ""
}

// MapColumns recognises the columns of a header row. A field named by two
// columns (an "RPPS" and an "ADELI" column) keeps both, in order: a row takes
// the first of them that is not empty, a mobile column ("Portable") before
// a plain phone column ("Téléphone"). It returns the columns found, in
// column order.
func MapColumns(header []string, custom map[string]Field) []Column {
	var cols []Column
	for i, h := range header {
		if f := headerField(h, custom); f != "" {
			cols = append(cols, Column{Field: f, Header: strings.TrimSpace(h), Index: i + 1})
		}
	}
	return cols
}

// mobileWords mark a phone header that names a mobile ("Tél. portable",
// "GSM") rather than any phone ("Téléphone", "Tel").
var mobileWords = []string{"portable", "portables", "mobile", "mobiles", "gsm", "cell", "cellphone", "cellular", "sms"}

// columnRank orders the columns of one field when a row takes the first
// non-empty of them: lower first. A "Portable" column beats a "Téléphone"
// column (often a landline) wherever they stand; otherwise file order.
func columnRank(c Column) int {
	if c.Field != FieldMobile {
		return 0
	}
	for w := range strings.FieldsSeq(NormHeader(c.Header)) {
		if slices.Contains(mobileWords, w) {
			return 0
		}
	}
	return 1
}

// byRank returns cols ordered by [columnRank], file order kept among
// equals: the order in which a row's cells fill its fields.
func byRank(cols []Column) []Column {
	out := slices.Clone(cols)
	slices.SortStableFunc(out, func(a, b Column) int { return columnRank(a) - columnRank(b) })
	return out
}

// missingFields returns the French names of the required columns absent
// from cols: [RequiredFields], then the establishment given by name or
// FINESS.
func missingFields(cols []Column) []string {
	has := func(f Field) bool {
		return slices.ContainsFunc(cols, func(c Column) bool { return c.Field == f })
	}
	var missing []string
	for _, f := range RequiredFields {
		if !has(f) {
			missing = append(missing, FieldNames[f])
		}
	}
	if !has(FieldEstablishment) && !has(FieldFINESS) {
		missing = append(missing, FieldNames[FieldEstablishment]+" ou "+FieldNames[FieldFINESS])
	}
	return missing
}

// headerScore is how much row looks like the header: the number of distinct
// fields it names, the required ones counting double so that a row naming
// them wins over a row of look-alike titles.
func headerScore(cols []Column) int {
	seen := map[Field]bool{}
	score := 0
	for _, c := range cols {
		if seen[c.Field] {
			continue
		}
		seen[c.Field] = true
		score++
		if slices.Contains(RequiredFields, c.Field) {
			score++
		}
	}
	return score
}
