package provision

import (
	"fmt"
	"slices"
	"strings"
)

// Severity says whether a [Problem] rejects its row.
type Severity string

// The severities: an error rejects the row, a warning does not; an info
// concerns the list, not a row (it is on the header row), and rejects
// nothing.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Rank orders severities for display: errors first, then warnings, then
// information.
func (s Severity) Rank() int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

// Label is the French word the referent reads for s (corrections workbook,
// summary, terminal tally): erreur, avertissement, information.
func (s Severity) Label() string {
	switch s {
	case SeverityError:
		return "erreur"
	case SeverityWarning:
		return "avertissement"
	case SeverityInfo:
		return "information"
	}
	return string(s)
}

// Code names a kind of [Problem]. Codes are stable: never renamed, new ones
// may be added. Each has an entry in [Codes].
type Code string

// The problem codes. Keep [Codes] in step.
const (
	NameMissing            Code = "NAME_MISSING"
	NameInvalid            Code = "NAME_INVALID"
	EmailMissing           Code = "EMAIL_MISSING"
	EmailInvalid           Code = "EMAIL_INVALID"
	EmailShared            Code = "EMAIL_SHARED"
	EmailGeneric           Code = "EMAIL_GENERIC"
	EmailPersonal          Code = "EMAIL_PERSONAL"
	EmailDomainTypo        Code = "EMAIL_DOMAIN_TYPO"
	PhoneInvalid           Code = "PHONE_INVALID"
	PhoneNotMobile         Code = "PHONE_NOT_MOBILE"
	ProfessionMissing      Code = "PROFESSION_MISSING"
	ProfessionUnknown      Code = "PROFESSION_UNKNOWN"
	SpecialtyUnknown       Code = "SPECIALTY_UNKNOWN"
	RPPSInvalid            Code = "RPPS_INVALID"
	ADELIInvalid           Code = "ADELI_INVALID"
	IDRequired             Code = "ID_REQUIRED"
	FINESSMissing          Code = "FINESS_MISSING"
	FINESSInvalid          Code = "FINESS_INVALID"
	EstablishmentUnknown   Code = "ESTABLISHMENT_UNKNOWN"
	HabilitationMissing    Code = "HABILITATION_MISSING"
	HabilitationUnknown    Code = "HABILITATION_UNKNOWN"
	HabilitationNotAllowed Code = "HABILITATION_NOT_ALLOWED"
	AuthModeMissing        Code = "AUTH_MODE_MISSING"
	AuthModeUnknown        Code = "AUTH_MODE_UNKNOWN"
	AuthModeUnsatisfied    Code = "AUTH_MODE_UNSATISFIED"
	DuplicatePerson        Code = "DUPLICATE_PERSON"
	DuplicateRow           Code = "DUPLICATE_ROW"
	CellRepaired           Code = "CELL_REPAIRED"
	RowHidden              Code = "ROW_HIDDEN"
	SheetHidden            Code = "SHEET_HIDDEN"
	ColumnIgnored          Code = "COLUMN_IGNORED"
	RowTooManyFields       Code = "ROW_TOO_MANY_FIELDS"

	// With an Annuaire Santé extract (Config.Annuaire).
	IDNotInDirectory            Code = "ID_NOT_IN_DIRECTORY"
	IDNameMismatch              Code = "ID_NAME_MISMATCH"
	ProfessionMismatch          Code = "PROFESSION_MISMATCH"
	EstablishmentNotInDirectory Code = "ESTABLISHMENT_NOT_IN_DIRECTORY"

	// Deployment readiness (sheet « Établissements », readiness.go).
	ContactMissing      Code = "CONTACT_MISSING"
	RORRCPMissing       Code = "ROR_RCP_MISSING"
	IdentityPathMissing Code = "IDENTITY_PATH_MISSING"
	LogoMissing         Code = "LOGO_MISSING"
	// A cell of the sheet « Établissements » or « Prérequis » that is no
	// value of its list (checklist.go).
	ChecklistValueInvalid Code = "CHECKLIST_VALUE_INVALID"
)

// CodeInfo documents a [Code]: it is the single source of `dccprov explain`,
// of default messages and of the README's list of codes. Texts are French,
// for the referent.
type CodeInfo struct {
	Severity Severity
	Title    string // one line: what the code means
	Example  string // a value that triggers it
	Fix      string // how to correct the row
}

// Codes is the catalogue of every [Code]. It is never written.
var Codes = map[Code]CodeInfo{
	NameMissing: {SeverityError,
		"Le nom de naissance ou le prénom est absent.",
		"une ligne sans nom dans la colonne « Nom »",
		"Renseignez le nom de naissance et le prénom de la personne, tels qu'ils figurent sur sa pièce d'identité."},
	NameInvalid: {SeverityError,
		"Le nom ou le prénom contient des chiffres ou des symboles.",
		"DUPONT2, =HYPERLINK(…), @Martin",
		"N'utilisez que des lettres (accentuées ou non), des espaces, des traits d'union et des apostrophes."},
	EmailMissing: {SeverityError,
		"L'adresse électronique est absente.",
		"une cellule « Courriel » vide",
		"Indiquez l'adresse électronique professionnelle et nominative de la personne."},
	EmailInvalid: {SeverityError,
		"L'adresse électronique n'est pas valide (syntaxe ou domaine).",
		"jean.dupont@@chu.fr, jean.dupont@chu",
		"Corrigez l'adresse : une seule arobase, un nom de domaine complet (par exemple prenom.nom@etablissement.fr)."},
	EmailShared: {SeverityError,
		"La même adresse électronique est donnée à plusieurs personnes différentes.",
		"secretariat.onco@chu.fr pour deux personnes",
		"Les comptes sont nominatifs : donnez à chaque personne sa propre adresse professionnelle."},
	EmailGeneric: {SeverityWarning,
		"L'adresse électronique est une boîte de service (secrétariat, contact, RCP…), pas une boîte nominative.",
		"secretariat@chu.fr, rcp@clinique.fr",
		"Indiquez si possible l'adresse nominative de la personne ; une boîte de service ne permet pas la connexion par code envoyé par courriel."},
	EmailPersonal: {SeverityWarning,
		"L'adresse électronique est une messagerie personnelle (webmail grand public).",
		"jean.dupont@gmail.com",
		"Préférez l'adresse professionnelle de la personne (établissement ou MSSanté)."},
	EmailDomainTypo: {SeverityWarning,
		"Le domaine de l'adresse électronique ressemble à une faute de frappe.",
		"jean.dupont@gmial.com, marie@wanadoo.ft",
		"Vérifiez le domaine et corrigez-le (la correction probable est proposée)."},
	PhoneInvalid: {SeverityError,
		"Le numéro de téléphone n'est pas un numéro français valide (métropole ou outre-mer).",
		"12345, 06 12 34",
		"Indiquez un numéro à 10 chiffres (06 12 34 56 78) ou au format international (+33 6 12 34 56 78)."},
	PhoneNotMobile: {SeverityError,
		"La connexion par SMS est demandée mais le numéro n'est pas un numéro de mobile.",
		"01 42 34 56 78 avec le mode « SMS »",
		"Indiquez le numéro de mobile professionnel de la personne, ou choisissez un autre mode de connexion."},
	ProfessionMissing: {SeverityError,
		"La profession est absente.",
		"une cellule « Profession » vide",
		"Indiquez la profession de la personne (liste déroulante du modèle)."},
	ProfessionUnknown: {SeverityError,
		"La profession n'est pas reconnue dans la nomenclature nationale des professions.",
		"Astrologue",
		"Choisissez la profession dans la liste déroulante du modèle ; les libellés les plus proches sont proposés."},
	SpecialtyUnknown: {SeverityWarning,
		"La spécialité n'est pas reconnue dans la nomenclature des spécialités ordinales.",
		"Cancéro",
		"Indiquez la spécialité ordinale exacte (par exemple « Oncologie option médicale »), ou laissez la cellule vide."},
	RPPSInvalid: {SeverityError,
		"Le numéro RPPS n'est pas valide (11 chiffres, clé de contrôle).",
		"10001045368",
		"Recopiez le numéro RPPS depuis l'Annuaire Santé ou la carte CPS (11 chiffres)."},
	ADELIInvalid: {SeverityError,
		"Le numéro ADELI n'est pas valide (9 caractères, clé de contrôle).",
		"75123456",
		"Recopiez le numéro ADELI exact (9 caractères) ou, de préférence, le numéro RPPS."},
	IDRequired: {SeverityError,
		"La connexion par carte CPS est demandée pour un professionnel de santé sans numéro RPPS ou ADELI.",
		"mode « CPS » et colonne RPPS vide",
		"Indiquez le numéro RPPS (ou ADELI) de la personne, ou choisissez un autre mode de connexion."},
	FINESSMissing: {SeverityError,
		"Aucun établissement n'est indiqué (ni numéro FINESS, ni nom).",
		"des cellules « FINESS » et « Établissement » vides",
		"Indiquez l'établissement de la personne : son numéro FINESS (9 caractères) et son nom."},
	FINESSInvalid: {SeverityError,
		"Le numéro FINESS n'est pas valide (9 caractères, clé de contrôle).",
		"772914173",
		"Recopiez le numéro FINESS de l'établissement (9 caractères, par exemple 2A0669073 en Corse)."},
	EstablishmentUnknown: {SeverityError,
		"L'établissement n'est pas dans la liste des établissements configurés.",
		"FINESS 750000000 absent de la configuration",
		"Vérifiez le FINESS et le nom de l'établissement, ou demandez à l'opérateur d'ajouter l'établissement."},
	HabilitationMissing: {SeverityError,
		"Aucune habilitation n'est demandée.",
		"une cellule « Habilitation(s) » vide",
		"Indiquez au moins une habilitation (liste déroulante du modèle), par exemple « Consultation des dossiers »."},
	HabilitationUnknown: {SeverityError,
		"L'habilitation demandée n'existe pas dans le catalogue.",
		"Super-utilisateur",
		"Choisissez l'habilitation dans le catalogue (liste déroulante du modèle) ; plusieurs peuvent être séparées par « ; »."},
	HabilitationNotAllowed: {SeverityError,
		"Cette profession ne peut pas recevoir cette habilitation.",
		"une secrétaire médicale avec « Coordonnateur de RCP »",
		"Retirez cette habilitation ou corrigez la profession de la personne."},
	AuthModeMissing: {SeverityError,
		"Le mode de connexion est absent.",
		"une cellule « Mode de connexion » vide",
		"Indiquez le mode de connexion : CPS, CPE, SMS ou Mail."},
	AuthModeUnknown: {SeverityError,
		"Le mode de connexion n'est pas reconnu.",
		"Pigeon voyageur",
		"Indiquez CPS (carte CPS ou e-CPS), CPE (carte d'établissement), SMS ou Mail (code à usage unique)."},
	AuthModeUnsatisfied: {SeverityError,
		"Les informations nécessaires au mode de connexion manquent, ou le mode ne convient pas à la personne.",
		"SMS sans numéro de mobile ; CPS pour un personnel non soignant",
		"Complétez l'information manquante (mobile, RPPS/ADELI, adresse nominative) ou choisissez un autre mode de connexion."},
	DuplicatePerson: {SeverityError,
		"La même personne apparaît deux fois avec des informations différentes.",
		"même RPPS sur deux lignes avec deux adresses différentes",
		"Gardez une seule ligne par personne et établissement, avec les bonnes informations."},
	DuplicateRow: {SeverityWarning,
		"La ligne répète une ligne précédente, à l'identique ou avec les mêmes informations écrites autrement ; elle n'est prise en compte qu'une fois.",
		"deux lignes identiques, ou « Lecture » et « Consultation » pour la même personne",
		"Supprimez la ligne en double."},
	CellRepaired: {SeverityWarning,
		"La valeur de la cellule a été réparée automatiquement (zéro initial perdu, notation scientifique, espaces invisibles…).",
		"612345678 devenu 0612345678",
		"Vérifiez la valeur corrigée ; saisissez les numéros en format texte pour éviter cette réparation."},
	RowHidden: {SeverityWarning,
		"La ligne est masquée dans le classeur ; elle est tout de même traitée.",
		"une ligne masquée",
		"Affichez la ligne et vérifiez qu'elle doit bien être traitée, ou supprimez-la."},
	SheetHidden: {SeverityWarning,
		"La feuille lue est masquée dans le classeur.",
		"une feuille « Personnels » masquée",
		"Vérifiez que la feuille masquée est bien la liste à traiter."},
	ColumnIgnored: {SeverityInfo,
		"Une colonne de la liste n'est pas utilisée par dccprov ; son contenu n'est pas repris.",
		"une colonne « Commentaires » ou « Service »",
		"Rien à faire si la colonne ne sert qu'à vous ; si elle devait être reprise, renommez son en-tête comme dans le modèle de liste."},
	RowTooManyFields: {SeverityError,
		"La ligne du fichier CSV a plus de champs que la ligne d'en-tête : des valeurs seraient perdues.",
		"« DUPONT;Jean;…;Oncologie;en trop » sous un en-tête de 10 colonnes",
		"Vérifiez les séparateurs de la ligne (un « ; » de trop, une valeur contenant « ; » sans guillemets) ou ajoutez l'en-tête de la colonne manquante."},
	IDNotInDirectory: {SeverityError,
		"Le numéro RPPS ou ADELI n'est pas dans l'Annuaire Santé (extrait national des professionnels de santé).",
		"un numéro RPPS dont un chiffre est mal recopié mais dont la clé de contrôle tombe juste",
		"Recopiez le numéro depuis la carte CPS de la personne ou depuis annuaire.sante.fr ; un professionnel qui vient d'être enregistré peut manquer à un extrait ancien."},
	IDNameMismatch: {SeverityError,
		"L'Annuaire Santé donne ce numéro RPPS ou ADELI à une autre personne (le nom ne correspond pas).",
		"le numéro RPPS d'un collègue recopié sur la mauvaise ligne",
		"Vérifiez le numéro et le nom de la personne : le nom trouvé dans l'Annuaire Santé est proposé ; le nom d'exercice (nom d'usage) ou le nom de naissance conviennent."},
	ProfessionMismatch: {SeverityWarning,
		"La profession indiquée diffère de celle que l'Annuaire Santé enregistre pour ce numéro.",
		"« Infirmier » pour un numéro que l'Annuaire Santé enregistre comme « Médecin »",
		"Vérifiez la profession (et le numéro) ; la profession de l'Annuaire Santé est indiquée."},
	EstablishmentNotInDirectory: {SeverityWarning,
		"L'Annuaire Santé n'enregistre aucune activité de la personne dans l'établissement indiqué.",
		"un médecin dont les activités enregistrées sont toutes dans d'autres établissements",
		"Vérifiez le FINESS de l'établissement ; si la personne vient d'y arriver, elle doit faire mettre à jour son activité auprès de son ordre ou de l'ARS."},
	ContactMissing: {SeverityWarning,
		"Un contact de l'établissement (référent 3C, promoteur ou contact DSIO) n'est pas renseigné, ou sans courriel ni téléphone.",
		"une colonne « Promoteur – nom » vide dans la feuille « Établissements »",
		"Indiquez dans la feuille « Établissements » le nom, le courriel et le téléphone du référent 3C, du promoteur et du contact DSIO."},
	RORRCPMissing: {SeverityWarning,
		"Les RCP de l'établissement ne sont pas (ou pas encore) toutes décrites dans le ROR.",
		"« non » ou « en cours » dans la colonne « RCP décrites dans le ROR »",
		"Demandez au référent ROR de l'établissement de décrire chaque RCP dans le ROR, puis répondez « oui »."},
	IdentityPathMissing: {SeverityWarning,
		"Le mode de création des identités patients n'est pas assuré : ni connexion au SRI, ni recueil des cinq traits stricts.",
		"« connexion prévue » au SRI et une colonne « Traits stricts recueillis » vide",
		"Indiquez le statut SRI ; sans connexion, confirmez que les cinq traits stricts (nom et prénom de naissance, date et lieu de naissance, sexe) sont recueillis en amont."},
	LogoMissing: {SeverityWarning,
		"Le logo de l'établissement est absent du dossier des logos.",
		"aucun fichier logos/FINESS.png ni logos/FINESS.jpg",
		"Envoyez le logo de l'établissement (PNG ou JPEG) pour les documents produits après les RCP."},
	ChecklistValueInvalid: {SeverityWarning,
		"Une réponse de la feuille des prérequis n'est pas une valeur attendue.",
		"« peut-être » dans « Salle de formation », une date « bientôt »",
		"Choisissez la réponse dans la liste déroulante (oui, non, en cours, sans objet) ; la date au format AAAA-MM-JJ, le nombre de RCP en chiffres."},
}

// Problem is one finding about one cell (or one row) of the input. A row with
// a problem of severity [SeverityError] is rejected.
type Problem struct {
	// Sheet names the sheet of the cell when it is not the staff sheet
	// (the sheet « Établissements » or « Prérequis »).
	Sheet      string   `json:"sheet,omitempty"`
	Row        int      `json:"row"`
	Column     string   `json:"column"`
	Cell       string   `json:"cell"`
	Severity   Severity `json:"severity"`
	Code       Code     `json:"code"`
	Message    string   `json:"message"`
	Value      string   `json:"value"`
	Suggestion string   `json:"suggestion"`
}

// NewProblem returns the problem code at cell c, with the catalogue's
// severity and default texts where message or suggestion are empty.
func NewProblem(code Code, c Cell, message, suggestion string) Problem {
	info, ok := Codes[code]
	if !ok {
		panic(fmt.Sprintf("provision: problem code %q has no catalogue entry", code))
	}
	if message == "" {
		message = info.Title
	}
	if suggestion == "" {
		suggestion = info.Fix
	}
	return Problem{
		Row:        c.Row,
		Column:     c.Header,
		Cell:       c.Ref(),
		Severity:   info.Severity,
		Code:       code,
		Message:    message,
		Value:      c.Value,
		Suggestion: suggestion,
	}
}

// SortProblems orders problems by row, then column position, then code, so
// that reports do not depend on the order the checks ran in.
func SortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		if a.Row != b.Row {
			return a.Row - b.Row
		}
		if c := compareCellRef(a.Cell, b.Cell); c != 0 {
			return c
		}
		return strings.Compare(string(a.Code), string(b.Code))
	})
}

// compareCellRef orders "B7" before "AA7": by column length, then letters.
func compareCellRef(a, b string) int {
	la, lb := letters(a), letters(b)
	if len(la) != len(lb) {
		return len(la) - len(lb)
	}
	return strings.Compare(la, lb)
}

func letters(ref string) string {
	i := 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' {
		i++
	}
	return ref[:i]
}
