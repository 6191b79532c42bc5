package provision

import (
	"maps"
	"slices"
	"strings"
)

// headerSynonyms maps a normalised header (see [NormHeader]) to its field.
// French and English, with the spellings referents actually use. It is
// never written.
var headerSynonyms = map[string]Field{
	// Birth name.
	"nom":                  FieldBirthName,
	"noms":                 FieldBirthName,
	"nom de naissance":     FieldBirthName,
	"nom naissance":        FieldBirthName,
	"nom de famille":       FieldBirthName,
	"nom patronymique":     FieldBirthName,
	"patronyme":            FieldBirthName,
	"nom d etat civil":     FieldBirthName,
	"nom etat civil":       FieldBirthName,
	"nom du professionnel": FieldBirthName,
	"nom de l agent":       FieldBirthName,
	"last name":            FieldBirthName,
	"lastname":             FieldBirthName,
	"surname":              FieldBirthName,
	"family name":          FieldBirthName,
	"birth name":           FieldBirthName,
	"name":                 FieldBirthName,

	// Usage name.
	"nom d usage":    FieldUsageName,
	"nom usage":      FieldUsageName,
	"nom d epouse":   FieldUsageName,
	"nom marital":    FieldUsageName,
	"nom usuel":      FieldUsageName,
	"usage name":     FieldUsageName,
	"married name":   FieldUsageName,
	"used name":      FieldUsageName,
	"nom d exercice": FieldUsageName,

	// First name.
	"prenom":         FieldFirstName,
	"prenoms":        FieldFirstName,
	"premier prenom": FieldFirstName,
	"prenom usuel":   FieldFirstName,
	"prenom d usage": FieldFirstName,
	"first name":     FieldFirstName,
	"firstname":      FieldFirstName,
	"given name":     FieldFirstName,
	"forename":       FieldFirstName,

	// Email.
	"courriel":                             FieldEmail,
	"courriel professionnel":               FieldEmail,
	"mel":                                  FieldEmail,
	"mail":                                 FieldEmail,
	"email":                                FieldEmail,
	"e mail":                               FieldEmail,
	"emails":                               FieldEmail,
	"adresse mail":                         FieldEmail,
	"adresse email":                        FieldEmail,
	"adresse e mail":                       FieldEmail,
	"adresse courriel":                     FieldEmail,
	"adresse electronique":                 FieldEmail,
	"adresse mel":                          FieldEmail,
	"adresse mail professionnelle":         FieldEmail,
	"adresse email professionnelle":        FieldEmail,
	"adresse e mail professionnelle":       FieldEmail,
	"adresse electronique professionnelle": FieldEmail,
	"mail professionnel":                   FieldEmail,
	"email professionnel":                  FieldEmail,
	"e mail professionnel":                 FieldEmail,
	"mail pro":                             FieldEmail,
	"email pro":                            FieldEmail,
	"email address":                        FieldEmail,
	"e mail address":                       FieldEmail,
	"mail address":                         FieldEmail,
	"work email":                           FieldEmail,

	// Mobile phone.
	"tel portable":                     FieldMobile,
	"tel mobile":                       FieldMobile,
	"telephone portable":               FieldMobile,
	"telephone mobile":                 FieldMobile,
	"tel":                              FieldMobile,
	"telephone":                        FieldMobile,
	"portable":                         FieldMobile,
	"mobile":                           FieldMobile,
	"n portable":                       FieldMobile,
	"no portable":                      FieldMobile,
	"numero de portable":               FieldMobile,
	"numero portable":                  FieldMobile,
	"numero de telephone":              FieldMobile,
	"numero de mobile":                 FieldMobile,
	"n de telephone":                   FieldMobile,
	"n telephone":                      FieldMobile,
	"gsm":                              FieldMobile,
	"tel portable professionnel":       FieldMobile,
	"telephone portable professionnel": FieldMobile,
	"phone":                            FieldMobile,
	"mobile phone":                     FieldMobile,
	"cell phone":                       FieldMobile,
	"cellphone":                        FieldMobile,
	"phone number":                     FieldMobile,
	"mobile number":                    FieldMobile,

	// Profession.
	"profession":                FieldProfession,
	"fonction":                  FieldProfession,
	"metier":                    FieldProfession,
	"emploi":                    FieldProfession,
	"poste":                     FieldProfession,
	"qualite":                   FieldProfession,
	"categorie":                 FieldProfession,
	"categorie professionnelle": FieldProfession,
	"profession exercee":        FieldProfession,
	"job":                       FieldProfession,
	"job title":                 FieldProfession,
	"occupation":                FieldProfession,
	"position":                  FieldProfession,

	// Specialty.
	"specialite":          FieldSpecialty,
	"specialites":         FieldSpecialty,
	"specialite ordinale": FieldSpecialty,
	"specialite medicale": FieldSpecialty,
	"discipline":          FieldSpecialty,
	"specialty":           FieldSpecialty,
	"speciality":          FieldSpecialty,

	// National identifier.
	"rpps":                    FieldID,
	"n rpps":                  FieldID,
	"no rpps":                 FieldID,
	"num rpps":                FieldID,
	"numero rpps":             FieldID,
	"n de rpps":               FieldID,
	"numero de rpps":          FieldID,
	"identifiant rpps":        FieldID,
	"adeli":                   FieldID,
	"n adeli":                 FieldID,
	"no adeli":                FieldID,
	"numero adeli":            FieldID,
	"rpps adeli":              FieldID,
	"rpps ou adeli":           FieldID,
	"n rpps adeli":            FieldID,
	"n rpps ou adeli":         FieldID,
	"numero rpps adeli":       FieldID,
	"numero rpps ou adeli":    FieldID,
	"identifiant national":    FieldID,
	"identifiant national ps": FieldID,
	"id national":             FieldID,
	"idnatps":                 FieldID,
	"id nat ps":               FieldID,
	"national id":             FieldID,
	"national identifier":     FieldID,

	// Establishment name.
	"etablissement":                 FieldEstablishment,
	"etablissements":                FieldEstablishment,
	"nom etablissement":             FieldEstablishment,
	"nom de l etablissement":        FieldEstablishment,
	"etablissement de rattachement": FieldEstablishment,
	"etablissement d exercice":      FieldEstablishment,
	"structure":                     FieldEstablishment,
	"site":                          FieldEstablishment,
	"raison sociale":                FieldEstablishment,
	"establishment":                 FieldEstablishment,
	"facility":                      FieldEstablishment,
	"hospital":                      FieldEstablishment,
	"organisation":                  FieldEstablishment,
	"organization":                  FieldEstablishment,

	// FINESS.
	"finess":                    FieldFINESS,
	"n finess":                  FieldFINESS,
	"no finess":                 FieldFINESS,
	"num finess":                FieldFINESS,
	"numero finess":             FieldFINESS,
	"n de finess":               FieldFINESS,
	"finess etablissement":      FieldFINESS,
	"finess de l etablissement": FieldFINESS,
	"finess geographique":       FieldFINESS,
	"finess juridique":          FieldFINESS,
	"finess et":                 FieldFINESS,
	"finess ej":                 FieldFINESS,
	"code finess":               FieldFINESS,
	"finess number":             FieldFINESS,
	"finess code":               FieldFINESS,

	// Habilitations.
	"habilitation":              FieldHabilitations,
	"habilitations":             FieldHabilitations,
	"habilitation s":            FieldHabilitations,
	"habilitations demandees":   FieldHabilitations,
	"habilitation s demandee s": FieldHabilitations,
	"habilitation demandee":     FieldHabilitations,
	"profil":                    FieldHabilitations,
	"profils":                   FieldHabilitations,
	"profil s":                  FieldHabilitations,
	"profil dcc":                FieldHabilitations,
	"role":                      FieldHabilitations,
	"roles":                     FieldHabilitations,
	"role s":                    FieldHabilitations,
	"role dcc":                  FieldHabilitations,
	"droits":                    FieldHabilitations,
	"droit":                     FieldHabilitations,
	"droits d acces":            FieldHabilitations,
	"droits demandes":           FieldHabilitations,
	"acces demandes":            FieldHabilitations,
	"permissions":               FieldHabilitations,
	"rights":                    FieldHabilitations,
	"access rights":             FieldHabilitations,
	"profile":                   FieldHabilitations,

	// Login mode.
	"mode de connexion":        FieldLoginMode,
	"mode connexion":           FieldLoginMode,
	"modes de connexion":       FieldLoginMode,
	"connexion":                FieldLoginMode,
	"authentification":         FieldLoginMode,
	"mode d authentification":  FieldLoginMode,
	"mode authentification":    FieldLoginMode,
	"moyen de connexion":       FieldLoginMode,
	"moyen d authentification": FieldLoginMode,
	"type de connexion":        FieldLoginMode,
	"login mode":               FieldLoginMode,
	"authentication":           FieldLoginMode,
	"authentication mode":      FieldLoginMode,
	"auth mode":                FieldLoginMode,
	"sign in mode":             FieldLoginMode,
}

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

// headerNoise are words a header may carry besides its name ("Courriel
// (obligatoire)", "Prénom *"); they are dropped before lookup.
var headerNoise = []string{"obligatoire", "facultatif", "optionnel", "required", "optional"}

// NormHeader returns the form headers are compared in: lower case, no
// accents, every run of punctuation or spaces turned into one space, trimmed.
// "N° RPPS" and "n rpps" are the same header. It is the folding values are
// compared in ([fold]), so headers and cells follow one rule.
func NormHeader(s string) string { return fold(s) }

// headerField returns the field of header h, honouring the configured
// mapping first, or "" when the header is not recognised.
func headerField(h string, custom map[string]Field) Field {
	n := NormHeader(h)
	if n == "" {
		return ""
	}
	for _, k := range slices.Sorted(maps.Keys(custom)) {
		if NormHeader(k) == n {
			return custom[k]
		}
	}
	if f, ok := headerSynonyms[n]; ok {
		return f
	}
	// "Courriel (obligatoire)", "Prénom *", "Tél. portable (06…)": drop the
	// parenthesised hint and noise words, then look again.
	if i := strings.IndexAny(h, "([*"); i > 0 {
		if f := headerField(h[:i], custom); f != "" {
			return f
		}
	}
	words := strings.Fields(n)
	words = slices.DeleteFunc(words, func(w string) bool { return slices.Contains(headerNoise, w) })
	if m := strings.Join(words, " "); m != n {
		return headerSynonyms[m]
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
