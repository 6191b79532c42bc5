package provision

// Validate turns each row of t into a [Person] and returns the problems
// found. (Placeholder until validation lands: every row is accepted.)
func Validate(t *Table, cfg *Config) ([]Person, []Problem) {
	people := make([]Person, 0, len(t.Rows))
	for _, r := range t.Rows {
		people = append(people, Person{Row: r.Number, Status: StatusAccepted, Habilitations: []Request{}})
	}
	return people, nil
}
