package provision

import (
	"bytes"
	"fmt"
	"io/fs"

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
