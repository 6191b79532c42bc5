package provision

import (
	"io/fs"
	"time"
)

// Config is everything a run depends on besides its input file. cmd/dccprov
// resolves it once (flag > DCCPROV_* environment > config file > default);
// this package never reads flags, environment, files or the clock itself.
type Config struct {
	// Sheet forces the worksheet to read; "" picks the one whose header is
	// recognised.
	Sheet string
	// Columns maps a header as written (compared after normalisation) to a
	// field, overriding the built-in synonyms.
	Columns map[string]Field
	// Habilitations is the catalogue; nil means the embedded default.
	Habilitations []HabilitationDef
	// Establishments, when not empty, is the closed list of establishments:
	// any other is ESTABLISHMENT_UNKNOWN.
	Establishments []Establishment
	// CSV shapes accounts.csv.
	CSV CSVOptions
	// AccountColumns are the columns of accounts.csv, in order; nil means
	// the embedded default (templates/accounts-csv.yaml).
	AccountColumns []AccountColumn
	// Date stamps outputs that carry a date (forms, LDIF comments); it comes
	// from --date, SOURCE_DATE_EPOCH or the clock, in main.
	Date time.Time
	// Templates holds form texts, fonts, catalogues and nomenclatures
	// (templates.FS in production).
	Templates fs.FS
	// LogosDir is where logos/FINESS.png|jpg are looked up ("" for none).
	LogosDir string
	// BaseDN is the LDAP base of the DNs written in accounts.ldif
	// (uid=LOGIN,ou=people,BaseDN); `ldap apply` uses its own --base-dn.
	BaseDN string
	// Operator names who runs the batch, for the audit trail.
	Operator string
	// Sender is the organisation that sends the signature forms (config
	// key operator:), printed on them; "" prints no sender.
	Sender string
	// ReturnAddress is where directors send signed forms back (config key
	// return_address:, a mailbox or a postal address), printed on them;
	// "" prints none.
	ReturnAddress string
	// FormText is the text of the signature form; nil means the embedded
	// templates/form-text.yaml.
	FormText *FormText
	// Limits bound what is read.
	Limits Limits
	// Password opens a password-protected workbook (from --password-file);
	// "" refuses such a workbook.
	Password string
	// Annuaire is the path of an Annuaire Santé extract
	// (PS_LibreAcces_Personne_activite_*.txt, or a .zip holding it) to
	// cross-check identifiers, names, professions and establishments
	// against; "" checks none.
	Annuaire string
	// Progress, when not nil, is told how reading, checking and writing
	// advance (a progress bar on a terminal).
	Progress Progress
}

// Limits bound every input, so a hostile or broken file cannot exhaust
// memory. Hitting one in a cell that is read is an error, not a silent
// truncation; cells of unrecognised columns beyond the limits are not read.
type Limits struct {
	FileBytes    int64 // size of the input file
	UnzipBytes   int64 // total uncompressed size of an XLSX
	UnzipXMLPart int64 // uncompressed size of one XML part kept in memory
	Rows         int   // people rows
	Columns      int   // columns per row
	CellBytes    int   // bytes per cell
}

// DefaultLimits take a national list (as many rows as Excel has) and are
// small enough to refuse a zip bomb.
var DefaultLimits = Limits{
	FileBytes:    200 << 20,
	UnzipBytes:   1 << 30,
	UnzipXMLPart: 64 << 20,
	Rows:         1_048_576, // Excel's own: memory no longer grows with the rows
	Columns:      200,
	CellBytes:    32 << 10,
}

// CSVOptions shapes accounts.csv for the import format of the platform.
type CSVOptions struct {
	Separator rune // ',' by default
	BOM       bool // write a UTF-8 byte-order mark (for Excel)
}

// HabilitationDef is one entry of the habilitation catalogue.
type HabilitationDef struct {
	Code     string   `yaml:"code" json:"code"`
	Label    string   `yaml:"label" json:"label"`
	Variants []string `yaml:"variants,omitempty" json:"variants,omitempty"`
	// Holders says who may hold it: "anyone", "health" (health
	// professionals of TRE_G15), or TRE_G15 profession codes such as "10".
	Holders   []string `yaml:"holders" json:"holders"`
	Signature bool     `yaml:"signature" json:"signature"`
	// Description says in one French sentence what the habilitation
	// grants; the signature form prints it for the director.
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
}
