package provision

// TEMPORARY: the validation branch provides the real ProfessionLabels from
// the nomenclatures; this file is deleted when the branches are merged.

// ProfessionLabels returns the profession labels offered by the blank
// template's drop-down list: the active TRE_G15 professions.
func ProfessionLabels(cfg *Config) ([]string, error) {
	return []string{
		"Médecin",
		"Pharmacien",
		"Audioprothésiste",
		"Opticien-Lunetier",
		"Assistant dentaire",
		"Physicien médical",
		"Chirurgien-Dentiste",
		"Sage-Femme",
		"Infirmier",
		"Infirmier psychiatrique",
		"Masseur-Kinésithérapeute",
		"Pédicure-Podologue",
		"Orthoprothésiste",
		"Podo-Orthésiste",
		"Orthopédiste-Orthésiste",
		"Oculariste",
		"Epithésiste",
		"Technicien de laboratoire médical",
		"Orthophoniste",
		"Orthoptiste",
		"Ergothérapeute",
		"Diététicien",
		"Psychomotricien",
		"Manipulateur ERM",
	}, nil
}
