package provision

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// AccountColumn is one column of accounts.csv: the title written on the
// header line and the field of the account that fills it.
type AccountColumn struct {
	Header string `yaml:"header" json:"header"`
	Field  string `yaml:"field" json:"field"`
}

// accountFields maps each field an [AccountColumn] may name to its value
// for one person. It is never written.
var accountFields = map[string]func(p *Person) string{
	"uid":              func(p *Person) string { return p.UID },
	"birth_name":       func(p *Person) string { return p.BirthName },
	"usage_name":       func(p *Person) string { return p.UsageName },
	"first_name":       func(p *Person) string { return p.FirstName },
	"email":            func(p *Person) string { return p.Email },
	"mobile":           func(p *Person) string { return p.Mobile },
	"national_id":      func(p *Person) string { return p.ID.IDNatPS() },
	"national_id_type": func(p *Person) string { return idType(p.ID) },
	"profession_code":  func(p *Person) string { return p.Profession.Code },
	"profession_label": func(p *Person) string { return p.Profession.Label },
	"specialty_code":   func(p *Person) string { return codedCode(p.Specialty) },
	"specialty_label":  func(p *Person) string { return codedLabel(p.Specialty) },
	"finess":           func(p *Person) string { return p.Establishment.FINESS },
	"establishment":    func(p *Person) string { return p.Establishment.Name },
	"login_mode":       func(p *Person) string { return string(p.LoginMode) },
}

func idType(id NationalID) string {
	if id.IsZero() {
		return ""
	}
	return string(id.Kind)
}

func codedCode(c *Coded) string {
	if c == nil {
		return ""
	}
	return c.Code
}

func codedLabel(c *Coded) string {
	if c == nil {
		return ""
	}
	return c.Label
}

// LoadAccountColumns decodes a list of [AccountColumn] (YAML) strictly and
// checks it with [CheckAccountColumns].
func LoadAccountColumns(data []byte) ([]AccountColumn, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var cols []AccountColumn
	if err := dec.Decode(&cols); err != nil {
		return nil, fmt.Errorf("decoding accounts.csv columns: %w", err)
	}
	if err := CheckAccountColumns(cols); err != nil {
		return nil, err
	}
	return cols, nil
}

// DefaultAccountColumns reads the columns of accounts.csv embedded in
// templates (accounts-csv.yaml).
func DefaultAccountColumns(templates fs.FS) ([]AccountColumn, error) {
	if templates == nil {
		return nil, errors.New("reading accounts.csv columns: no templates given")
	}
	data, err := fs.ReadFile(templates, "accounts-csv.yaml")
	if err != nil {
		return nil, fmt.Errorf("reading embedded accounts.csv columns: %w", err)
	}
	return LoadAccountColumns(data)
}

// CheckAccountColumns reports the first mistake of a column list: none at
// all, an empty header, or an unknown field.
func CheckAccountColumns(cols []AccountColumn) error {
	if len(cols) == 0 {
		return errors.New("accounts.csv columns: the list is empty")
	}
	for i, c := range cols {
		if c.Header == "" {
			return fmt.Errorf("accounts.csv column %d has no header", i+1)
		}
		if _, ok := accountFields[c.Field]; !ok {
			return fmt.Errorf("accounts.csv column %q: unknown field %q (known: %s)",
				c.Header, c.Field, strings.Join(slices.Sorted(maps.Keys(accountFields)), ", "))
		}
	}
	return nil
}

// accountColumns returns cfg.AccountColumns, or the embedded default.
func accountColumns(cfg *Config) ([]AccountColumn, error) {
	if cfg.AccountColumns != nil {
		return cfg.AccountColumns, CheckAccountColumns(cfg.AccountColumns)
	}
	return DefaultAccountColumns(cfg.Templates)
}

// acceptedSorted returns the accepted people, sorted by establishment
// FINESS, then uid, then row: the order of every output.
func acceptedSorted(people []Person) []*Person {
	var out []*Person
	for i := range people {
		if people[i].Status == StatusAccepted {
			out = append(out, &people[i])
		}
	}
	sortAccountPtrs(out)
	return out
}

// accountsOf returns the people of [Accounts] as [acceptedSorted] gives
// them: pointers into people, not copies (a person is 320 bytes; a
// national list has a million).
func accountsOf(people []Person) []*Person {
	var out []*Person
	for i := range people {
		if hasAccount(&people[i]) {
			out = append(out, &people[i])
		}
	}
	sortAccountPtrs(out)
	return out
}

// hasAccount reports whether p gets an account line: an accepted row that
// does not repeat an earlier one exactly ([Person.DuplicateOf]).
func hasAccount(p *Person) bool { return p.Status == StatusAccepted && p.DuplicateOf == 0 }

// sortAccountPtrs sorts by establishment FINESS, uid, then row: a total
// order (a row is one person), so no stable sort is needed.
func sortAccountPtrs(ps []*Person) {
	if !slices.IsSortedFunc(ps, byEstablishmentThenUID) {
		slices.SortFunc(ps, byEstablishmentThenUID)
	}
}

func byEstablishmentThenUID(a, b *Person) int {
	return cmp.Or(
		strings.Compare(a.Establishment.FINESS, b.Establishment.FINESS),
		strings.Compare(a.UID, b.UID),
		cmp.Compare(a.Row, b.Row),
	)
}

// newCSVWriter returns a CSV writer with \n line ends and separator sep
// (',' when zero).
func newCSVWriter(w io.Writer, sep rune) *csv.Writer {
	cw := csv.NewWriter(w)
	if sep != 0 {
		cw.Comma = sep
	}
	return cw
}

// writeSafeRecord writes one CSV record, every cell through [safeCell].
func writeSafeRecord(cw *csv.Writer, rec []string) error {
	for i, v := range rec {
		rec[i] = safeCell(v)
	}
	return cw.Write(rec)
}

// WriteAccountsCSV writes accounts.csv: a header line, then one line per
// accepted person (a person working in two establishments has two lines
// with the same uid), sorted by establishment FINESS then uid. The columns
// are [Config.AccountColumns] (or the embedded default); the separator and
// byte-order mark come from [Config.CSV]. Every cell passes through the
// formula guard.
func WriteAccountsCSV(w io.Writer, people []Person, cfg *Config) error {
	return writeAccountsCSV(w, acceptedSorted(people), cfg)
}

// writeAccountsCSV is [WriteAccountsCSV] over the accepted people, sorted.
func writeAccountsCSV(w io.Writer, accounts []*Person, cfg *Config) error {
	cols, err := accountColumns(cfg)
	if err != nil {
		return err
	}
	if cfg.CSV.BOM {
		if _, err := io.WriteString(w, "\ufeff"); err != nil {
			return fmt.Errorf("writing accounts.csv: %w", err)
		}
	}
	cw := newCSVWriter(w, cfg.CSV.Separator)
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.Header
	}
	if err := writeSafeRecord(cw, rec); err != nil {
		return fmt.Errorf("writing accounts.csv: %w", err)
	}
	for _, p := range accounts {
		for i, c := range cols {
			rec[i] = accountFields[c.Field](p)
		}
		if err := writeSafeRecord(cw, rec); err != nil {
			return fmt.Errorf("writing accounts.csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing accounts.csv: %w", err)
	}
	return nil
}

// habilitationsHeader is the fixed header of habilitations.csv, which
// `ldap plan/apply` read back.
var habilitationsHeader = []string{
	"uid", "national_id", "birth_name", "first_name", "finess", "establishment",
	"habilitation", "label", "signature", "status", "form",
}

// requestStatus is r.Status as set by the run stage, or, when it is
// empty, what the catalogue implies: active unless a signature is needed.
func requestStatus(r Request) string {
	switch {
	case r.Status != "":
		return r.Status
	case r.Signature:
		return RequestPendingSignature
	default:
		return RequestActive
	}
}

// WriteHabilitationsCSV writes habilitations.csv: a fixed header, then one
// line per accepted person × establishment × habilitation, sorted by
// establishment FINESS, uid, then habilitation code, with the status
// (active, pending-signature, rejected) and the signature form's REF.
// Separator ',' and \n line ends whatever the configuration, as `ldap`
// reads it back.
func WriteHabilitationsCSV(w io.Writer, people []Person) error {
	return writeHabilitationsCSV(w, acceptedSorted(people))
}

// writeHabilitationsCSV is [WriteHabilitationsCSV] over the accepted
// people, sorted.
func writeHabilitationsCSV(w io.Writer, accounts []*Person) error {
	cw := newCSVWriter(w, ',')
	if err := writeSafeRecord(cw, slices.Clone(habilitationsHeader)); err != nil {
		return fmt.Errorf("writing habilitations.csv: %w", err)
	}
	rec := make([]string, len(habilitationsHeader))
	for _, p := range accounts {
		reqs := slices.Clone(p.Habilitations)
		slices.SortStableFunc(reqs, func(a, b Request) int { return strings.Compare(a.Code, b.Code) })
		for _, r := range reqs {
			rec = append(rec[:0],
				p.UID, p.ID.IDNatPS(), p.BirthName, p.FirstName,
				p.Establishment.FINESS, p.Establishment.Name,
				r.Code, r.Label, strconv.FormatBool(r.Signature), requestStatus(r), r.Form)
			if err := writeSafeRecord(cw, rec); err != nil {
				return fmt.Errorf("writing habilitations.csv: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("writing habilitations.csv: %w", err)
	}
	return nil
}
