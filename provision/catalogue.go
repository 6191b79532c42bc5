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
// missing code or label, a duplicate code, no holders.
func CheckHabilitations(defs []HabilitationDef) error {
	seen := map[string]bool{}
	for i, d := range defs {
		switch {
		case d.Code == "":
			return fmt.Errorf("habilitation %d has no code", i+1)
		case d.Label == "":
			return fmt.Errorf("habilitation %s has no label", d.Code)
		case len(d.Holders) == 0:
			return fmt.Errorf("habilitation %s has no holders (use [anyone])", d.Code)
		case seen[d.Code]:
			return fmt.Errorf("habilitation %s is listed twice", d.Code)
		}
		seen[d.Code] = true
	}
	if len(defs) == 0 {
		return fmt.Errorf("the habilitation catalogue is empty")
	}
	return nil
}
