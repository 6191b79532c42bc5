package biglist

// The tables below are never written. Every value is synthetic: names are
// invented combinations, emails are on *-exemple.fr domains, FINESS
// prefixes are invented (their keys are computed), RPPS numbers are in the
// 199 range, beyond the numbers issued so far (see samples/README.md).

// establishment is one synthetic establishment; its FINESS is the prefix
// and its Luhn key.
type establishment struct {
	name, prefix, domain string
}

var establishments = []establishment{
	{"CHU Exemple-sur-Loire", "44000017", "chu-exemple.fr"},
	{"Clinique des Tilleuls", "92030055", "clinique-tilleuls-exemple.fr"},
	{"Centre hospitalier de Porto-Exemple", "2A000063", "ch-porto-exemple.fr"},
	{"Centre hospitalier de Vauclair-Exemple", "51000021", "ch-vauclair-exemple.fr"},
	{"Institut de cancérologie Exemple-Ouest", "35004410", "ico-exemple.fr"},
	{"Polyclinique du Val Fleuri", "69078024", "polyclinique-valfleuri-exemple.fr"},
	{"Hôpital privé des Cèdres", "13001234", "hp-cedres-exemple.fr"},
	{"Centre hospitalier de Brocéliande-Exemple", "56000789", "ch-broceliande-exemple.fr"},
	{"Clinique Saint-Exemple", "75012345", "clinique-saint-exemple.fr"},
	{"Centre hospitalier de Bastia-Exemple", "2B000045", "ch-bastia-exemple.fr"},
	{"CHU Exemple-les-Bains", "31005566", "chu-exemple-les-bains.fr"},
	{"Centre de radiothérapie des Lilas", "59007788", "radiotherapie-lilas-exemple.fr"},
}

// lastStems, lastMiddles and lastEnds make the last names: stem + middle
// + end. A few stems carry a particle, whose space an email turns into
// "-"; no two names give the same email (TestNamesInjective).
var lastStems = []string{
	"ABRI", "BELLON", "CASTA", "DELA", "ESCOF", "FAUCHE", "GARNI", "HOUDE", "ISAM", "JOUVAN", "KERVA", "LAFFOR",
	"MARCIL", "NOGA", "OLLI", "PERCHE", "QUIN", "ROUVEL", "SABA", "TOURNE", "URVOI", "VALLAN", "WATTE", "YVER",
	"ZAMPI", "LE GUEN", "DE LA FRESNA", "MONTA", "BRISSON", "CHAMBOR", "DU PLES", "ETCHE", "FONTA", "GIRAR", "HAMEL",
	"JACQUE", "LAMBER", "MOREL", "NICOL", "DE SAINT-", "RENAU", "SOULA", "THIBAU", "VIGNE", "BOUR", "CLAVE", "DESPRE", "LE ROU",
}

var lastMiddles = []string{"", "RI", "LO", "NA", "VE", "TI", "MA", "SE", "BO", "DU", "GA", "CHE"}

var lastEnds = []string{
	"VARD", "CLE", "GNOU", "VERGNE", "FIAN", "RAND", "VOT", "LINE", "BRET", "CEL", "DEC", "GUE",
	"LAT", "RETTE", "VAUX", "RAUD", "TARD", "LAC", "THIER", "MOLLE", "SE", "DRIN", "LIER", "NAUX",
	"GNY", "DEAU", "NEC", "YE", "GNAC", "NEAU", "ET", "IN", "ARD", "OT", "ON", "EAU",
	"ELLE", "IER", "AS", "AIN", "OUX", "ENS", "ILLE", "ADE", "ERT", "Y", "OIS", "ANT",
}

var firstNames = []string{
	"Amélie", "Bastien", "Céline", "Damien", "Élodie", "Florent", "Gaëlle", "Hugo", "Inès", "Jérôme",
	"Karine", "Loïc", "Maëlle", "Noé", "Océane", "Pascal", "Quentin", "Rozenn", "Solène", "Thibault",
	"Ursule", "Valentin", "Wendy", "Xavier", "Yann", "Zoé", "Anne-Sophie", "Jean-Baptiste", "Hélène", "François",
	"Agathe", "Benoît", "Camille", "Denis", "Émilie", "Fabrice", "Gilles", "Héloïse", "Isabelle", "Julien",
	"Laure", "Mathieu", "Nathalie", "Olivier", "Pauline", "Romain", "Sandrine", "Thomas", "Virginie", "Yves",
	"Aurélien", "Brigitte", "Cédric", "Delphine", "Étienne", "Frédérique", "Grégoire", "Jeanne", "Lucie", "Marc",
	"Nicolas", "Patricia", "Raphaël", "Sébastien", "Tiphaine", "Valérie", "Anaïs", "Bruno", "Chloé", "Didier",
	"Estelle", "Fanny", "Guillaume", "Justine", "Laurent", "Manon", "Marie-Claire", "Pierre-Yves", "Sylvie", "Victor",
}

// role is a kind of staff member: the profession as written, specialties,
// whether the person has an RPPS number, and the habilitations and login
// modes such a person asks for, as referents write them.
type role struct {
	weight        int // relative frequency
	profession    string
	specialties   []string // "" is no specialty
	rpps          bool
	habilitations []string
	logins        []string
}

var roles = []role{
	{14, "Médecin", []string{"Oncologie option médicale", "Radiothérapie", "Pneumologie", "Hématologie", "Gastro-entérologie et hépatologie", "Anatomie et cytologie pathologiques"}, true,
		[]string{"PARTICIPANT_RCP", "Participant aux RCP", "PARTICIPANT_RCP; CONSULTATION", "Participant aux RCP, Consultation des dossiers"}, []string{"CPS", "Carte CPS", "e-CPS"}},
	{4, "Oncologue", []string{""}, true, []string{"Participant aux RCP", "Consultation des dossiers"}, []string{"CPS", "e-CPS"}},
	{3, "Radiothérapeute", []string{""}, true, []string{"Participant aux RCP"}, []string{"CPS"}},
	{10, "IDE", []string{""}, true, []string{"Consultation des dossiers", "CONSULTATION"}, []string{"SMS", "code SMS", "CPS"}},
	{10, "Infirmière", []string{""}, true, []string{"CONSULTATION", "Participant aux RCP"}, []string{"SMS", "CPS", "e-CPS"}},
	{4, "Pharmacien", []string{""}, true, []string{"CONSULTATION"}, []string{"CPS"}},
	{4, "Manipulateur radio", []string{""}, false, []string{"Consultation"}, []string{"SMS"}},
	{8, "Secrétaire médicale", []string{""}, false, []string{"Secrétaire de RCP", "SECRETAIRE_RCP, CONSULTATION", "Secrétaire de RCP / Consultation"}, []string{"CPE", "Mail", "SMS"}},
	{3, "Psychologue", []string{""}, false, []string{"Consultation des dossiers"}, []string{"Mail", "Courriel", "SMS"}},
	{2, "Assistante sociale", []string{""}, false, []string{"Consultation"}, []string{"Mail", "SMS"}},
	{2, "ARC", []string{""}, false, []string{"Consultation des dossiers"}, []string{"Mail"}},
}

// signatureHabilitations are asked by a few doctors: valid, pending the
// director's signature.
var signatureHabilitations = []string{
	"Participant aux RCP; Coordonnateur de RCP",
	"PARTICIPANT_RCP\nCOORDONNATEUR_RCP",
	"ACCES_ETENDU",
}

// mobilePrefixes are metropolitan mobile ranges (06 and 07), avoiding the
// overseas ones (0639, 069x) so that every phone is plainly French.
var mobilePrefixes = []string{"061", "062", "064", "065", "066", "067", "068", "075", "076", "077", "078"}

// Values planted as problems.
var (
	unknownProfessions   = []string{"Infirmiere diplomée d'etta", "Agent polyvalent RCP", "Pharmatien", "Secrétaite", "Kiné-onco"}
	unknownHabilitations = []string{"Super-utilisateur", "Admin total", "Lecture seule partielle", "Droits RCP++"}
	unknownLogins        = []string{"Badge", "Empreinte digitale", "Mot de passe", "Carte vitale"}
)
