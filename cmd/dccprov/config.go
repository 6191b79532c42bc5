package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dccprov/dccprov/provision"
	"github.com/dccprov/dccprov/templates"
)

// fileConfig is dccprov.yaml. Decoding is strict: an unknown key is exit 2.
type fileConfig struct {
	Sheet          string                      `yaml:"sheet"`
	Columns        map[string]string           `yaml:"columns"`
	Habilitations  []provision.HabilitationDef `yaml:"habilitations"`
	Establishments []provision.Establishment   `yaml:"establishments"`
	Logos          string                      `yaml:"logos"`
	CSV            csvConfig                   `yaml:"csv"`
	AccountColumns []provision.AccountColumn   `yaml:"accounts_columns"`
	LDAP           ldapConfig                  `yaml:"ldap"`
	Operator       string                      `yaml:"operator"`
	// Annuaire is the Annuaire Santé extract to cross-check against,
	// relative to the config file; --annuaire overrides it.
	Annuaire      string `yaml:"annuaire"`
	Store         string `yaml:"store"`
	ReturnAddress string `yaml:"return_address"`
	FormText      string `yaml:"form_text"`
}

type csvConfig struct {
	Separator string `yaml:"separator"`
	BOM       bool   `yaml:"bom"`
}

// ldapConfig holds the directory settings; the password is never here.
type ldapConfig struct {
	URL              string `yaml:"url"`
	BaseDN           string `yaml:"base_dn"`
	BindDN           string `yaml:"bind_dn"`
	BindPasswordFile string `yaml:"bind_password_file"`
	CAFile           string `yaml:"ca_file"`
}

// yamlError rewrites a decoding error as one line an operator can act on:
// "line 3: unknown key \"shet\"" rather than the decoder's Go type names.
func yamlError(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	msgs := make([]string, 0, len(te.Errors))
	for _, m := range te.Errors {
		if before, after, ok := strings.Cut(m, ": field "); ok {
			if key, _, ok := strings.Cut(after, " not found in type"); ok {
				m = before + ": unknown key " + strconv.Quote(key)
			}
		}
		if i := strings.Index(m, " into main."); i >= 0 {
			m = m[:i]
		}
		msgs = append(msgs, m)
	}
	return errors.New(strings.Join(msgs, "; "))
}

// defaultBaseDN is the LDAP base written in accounts.ldif when none is
// configured; the .invalid top-level domain cannot clash with a real one.
const defaultBaseDN = "dc=dcc,dc=invalid"

// configError is a bad setting: exit 2, naming the file and the setting.
func configError(file string, err error) error {
	return &exitError{2, fmt.Errorf("config %s: %w; fix the setting and run again", file, err)}
}

// loadConfig resolves the settings once: flag > DCCPROV_* environment >
// config file > embedded default. It returns the file part too, for the
// commands (ldap) that read more of it.
func (e *env) loadConfig() (*provision.Config, *fileConfig, error) {
	fc := &fileConfig{}
	path := e.g.config
	if path == "" {
		if _, err := os.Stat("dccprov.yaml"); err == nil {
			path = "dccprov.yaml"
		}
	}
	dir := "."
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, &exitError{2, fmt.Errorf("reading config: %w", err)}
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(fc); err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, configError(path, yamlError(err))
		}
		var more any
		if err := dec.Decode(&more); !errors.Is(err, io.EOF) {
			return nil, nil, configError(path, errors.New("the file holds more than one YAML document (a --- line); keep one"))
		}
		dir = filepath.Dir(path)
	}
	cfg := &provision.Config{
		Sheet:          fc.Sheet,
		Establishments: fc.Establishments,
		Templates:      templates.FS,
		Limits:         provision.DefaultLimits,
		CSV:            provision.CSVOptions{Separator: ',', BOM: fc.CSV.BOM},
	}
	if len(fc.Columns) > 0 {
		cfg.Columns = map[string]provision.Field{}
		for header, field := range fc.Columns {
			f := provision.Field(field)
			if !validField(f) {
				return nil, nil, configError(path, fmt.Errorf("columns: %q maps to unknown field %q (known: %v)", header, field, provision.Fields))
			}
			cfg.Columns[header] = f
		}
	}
	switch fc.CSV.Separator {
	case "", ",":
	case ";":
		cfg.CSV.Separator = ';'
	case "tab", "\t":
		cfg.CSV.Separator = '\t'
	default:
		return nil, nil, configError(path, fmt.Errorf("csv.separator must be \",\", \";\" or \"tab\", not %q", fc.CSV.Separator))
	}
	if fc.AccountColumns != nil {
		if err := provision.CheckAccountColumns(fc.AccountColumns); err != nil {
			return nil, nil, configError(path, err)
		}
		cfg.AccountColumns = fc.AccountColumns
	}
	if fc.Habilitations != nil {
		if err := provision.CheckHabilitations(fc.Habilitations); err != nil {
			return nil, nil, configError(path, err)
		}
		cfg.Habilitations = fc.Habilitations
	} else {
		defs, err := provision.DefaultHabilitations(templates.FS)
		if err != nil {
			return nil, nil, err
		}
		cfg.Habilitations = defs
	}
	logos := fc.Logos
	if logos == "" {
		logos = "logos"
	}
	if !filepath.IsAbs(logos) {
		logos = filepath.Join(dir, logos)
	}
	cfg.LogosDir = logos
	if fc.Annuaire != "" {
		cfg.Annuaire = fc.Annuaire
		if !filepath.IsAbs(cfg.Annuaire) {
			cfg.Annuaire = filepath.Join(dir, cfg.Annuaire)
		}
	}
	cfg.BaseDN = firstNonEmpty(e.getenv("DCCPROV_LDAP_BASE_DN"), fc.LDAP.BaseDN, defaultBaseDN)

	date, err := e.resolveDate()
	if err != nil {
		return nil, nil, err
	}
	cfg.Date = date
	cfg.Operator = firstNonEmpty(e.g.operator, e.getenv("DCCPROV_OPERATOR"), fc.Operator, e.getenv("USER"), "operator")
	// The forms say who sends them and where they go back: the
	// organisation of the config file only, never a login from the
	// environment, so the same config prints the same forms.
	cfg.Sender, cfg.ReturnAddress = strings.TrimSpace(fc.Operator), strings.TrimSpace(fc.ReturnAddress)
	if fc.FormText != "" {
		if cfg.FormText, err = loadFormText(fc.FormText, dir); err != nil {
			return nil, nil, configError(path, err)
		}
	}
	if e.g.store, err = e.storePath(fc.Store, dir); err != nil {
		return nil, nil, err
	}
	return cfg, fc, nil
}

// loadFormText reads the form_text: file (relative to the config's folder
// dir) over the embedded form text.
func loadFormText(name, dir string) (*provision.FormText, error) {
	if !filepath.IsAbs(name) {
		name = filepath.Join(dir, name)
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("form_text: %w", err)
	}
	base, err := provision.LoadFormText(templates.FS)
	if err != nil {
		return nil, err
	}
	t, err := provision.ParseFormText(data, base)
	if err != nil {
		if u := errors.Unwrap(err); u != nil {
			err = yamlError(u) // the decoder's words, as for the config itself
		}
		return nil, fmt.Errorf("form_text %s: %w", name, err)
	}
	return t, nil
}

// storePath resolves the store: --store > DCCPROV_STORE > store: in the
// config file (relative to its folder) > one store per user, in the
// user's data folder ($XDG_DATA_HOME/dccprov/dccprov.db, else
// ~/.local/share/dccprov/dccprov.db). A store that follows the current
// folder would let a run from another folder start an empty one and issue
// again a form already signed.
func (e *env) storePath(fromConfig, dir string) (string, error) {
	if p := firstNonEmpty(e.g.store, e.getenv("DCCPROV_STORE")); p != "" {
		return p, nil
	}
	if fromConfig != "" {
		if !filepath.IsAbs(fromConfig) {
			fromConfig = filepath.Join(dir, fromConfig)
		}
		return fromConfig, nil
	}
	// The XDG base directory spec ignores a relative XDG_DATA_HOME.
	data := e.getenv("XDG_DATA_HOME")
	if !filepath.IsAbs(data) {
		home := e.getenv("HOME")
		if !filepath.IsAbs(home) {
			return "", usageErr("no store: HOME is not set, so there is no user data folder; give --store PATH or set DCCPROV_STORE")
		}
		data = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(data, "dccprov", "dccprov.db"), nil
}

func validField(f provision.Field) bool {
	return slices.Contains(provision.Fields, f)
}

// paris is the time zone of the dates dccprov prints.
var paris = mustLoadLocation("Europe/Paris")

func mustLoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // time/tzdata is embedded: this cannot fail
	}
	return loc
}

// resolveDate is --date, else SOURCE_DATE_EPOCH, else now: the clock is
// read here and nowhere else.
func (e *env) resolveDate() (time.Time, error) {
	if e.g.date != "" {
		d, err := time.ParseInLocation("2006-01-02", e.g.date, paris)
		if err != nil {
			return time.Time{}, usageErr("--date %q is not a date of the form YYYY-MM-DD", e.g.date)
		}
		return d, nil
	}
	if s := e.getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, usageErr("SOURCE_DATE_EPOCH %q is not a number of seconds", s)
		}
		return time.Unix(n, 0).In(paris), nil
	}
	return time.Now().In(paris), nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

var _ fs.FS = templates.FS
