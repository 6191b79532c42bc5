package provision

// memo remembers the result of a pure function of a cell value, so that
// work done per distinct value (professions, habilitations, login modes,
// email domains, suggestions) is done once per list: a list has few
// distinct values in those columns, however long it is. Its size is
// bounded: past maxMemo entries it starts again empty, so a column of
// values all different costs the lookups, never the memory.
//
// A memo belongs to one [Validator] and is not safe for concurrent use.
type memo[V any] struct {
	m map[string]V
}

// maxMemo bounds the entries of one memo.
const maxMemo = 1 << 14

// get returns f(k), computed once per distinct k.
func (m *memo[V]) get(k string, f func(string) V) V {
	if v, ok := m.m[k]; ok {
		return v
	}
	v := f(k)
	if m.m == nil || len(m.m) >= maxMemo {
		m.m = make(map[string]V)
	}
	m.m[k] = v
	return v
}
