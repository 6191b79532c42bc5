package ldap

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Op is what a change does, as the contract counts it.
type Op string

// The ops of a [Change]. A pruned person is a removal even though the entry
// is only disabled, never deleted.
const (
	OpAdd    Op = "add"
	OpModify Op = "modify"
	OpRemove Op = "remove"
)

// DisabledPrefix starts the description value that marks a person
// disabled by --prune, followed by the date: an operator or the platform
// filters on (description=dccprov-disabled*).
const DisabledPrefix = "dccprov-disabled"

// Attr is an attribute with its values.
type Attr struct {
	Name   string
	Values []string
}

// ModType is the kind of one modification of a modify request.
type ModType int

// The modification kinds of RFC 4511.
const (
	ModAdd ModType = iota
	ModDelete
	ModReplace
)

// Mod is one modification of a modify request.
type Mod struct {
	Type ModType
	Attr Attr
}

// kind says which phase of Apply a change belongs to: containers first,
// then people, then groups (whose members are people).
type kind int

const (
	kindContainer kind = iota
	kindPerson
	kindGroup
)

// Change is one operation on one entry. Its exported fields are what plan
// and apply print; the rest is what Apply sends and what undoes it.
type Change struct {
	Op         Op       `json:"op"`
	DN         string   `json:"dn"`
	Attributes []string `json:"attributes"`
	// Values are shown only on request (--show-values): they are personal
	// data.
	Values map[string][]string `json:"values,omitempty"`

	kind   kind
	add    []Attr // the whole entry, for OpAdd
	mods   []Mod  // for OpModify and OpRemove
	before []Attr // the previous values of every attribute mods touch
}

// Entry is a directory entry as read: attribute names are lower-cased.
type Entry struct {
	DN    string
	Attrs map[string][]string
}

func (e *Entry) get(name string) []string { return e.Attrs[strings.ToLower(name)] }

// State is the part of the directory dccprov manages.
type State struct {
	BaseDN string
	// PeopleOU and GroupsOU say whether the containers exist.
	PeopleOU, GroupsOU bool
	People             []Entry
	Groups             []Entry
}

// Options shape the diff.
type Options struct {
	// Prune disables the people of the batch's establishments that the
	// batch no longer names (neither in People nor in Named), and removes
	// them from the managed groups.
	Prune bool
	// Codes are habilitation codes whose groups dccprov manages besides
	// those the batch names (the catalogue): a group whose last holder
	// left the list is still emptied.
	Codes []string
	// Date stamps the disabled marker.
	Date time.Time
}

// Changeset is what it takes to make the directory match a batch.
type Changeset struct {
	BaseDN string
	// Changes are in execution order: containers, people, groups, each
	// sorted by DN.
	Changes []Change
	// Unchanged counts the people and groups examined that need nothing.
	Unchanged int
}

// Summary is the result printed by plan and apply (with --json as is).
type Summary struct {
	Add       int       `json:"add"`
	Modify    int       `json:"modify"`
	Remove    int       `json:"remove"`
	Unchanged int       `json:"unchanged"`
	Failed    int       `json:"failed"`
	Changes   []Change  `json:"changes"`
	Failures  []Failure `json:"failures,omitempty"`
	// Undo is the undo LDIF apply wrote, if any.
	Undo string `json:"undo,omitempty"`
}

// Summary counts the changes; values are included when showValues is set.
func (cs *Changeset) Summary(showValues bool) *Summary {
	s := &Summary{Unchanged: cs.Unchanged, Changes: []Change{}}
	for _, c := range cs.Changes {
		s.count(c, showValues)
	}
	return s
}

func (s *Summary) count(c Change, showValues bool) {
	switch c.Op {
	case OpAdd:
		s.Add++
	case OpModify:
		s.Modify++
	case OpRemove:
		s.Remove++
	}
	if showValues {
		c.Values = c.values()
	}
	s.Changes = append(s.Changes, c)
}

// values lists what the change writes, attribute by attribute.
func (c *Change) values() map[string][]string {
	m := map[string][]string{}
	for _, a := range c.add {
		m[a.Name] = append(m[a.Name], a.Values...)
	}
	for _, md := range c.mods {
		prefix := ""
		switch md.Type {
		case ModAdd:
			prefix = "+"
		case ModDelete:
			prefix = "-"
		}
		m[prefix+md.Attr.Name] = append(m[prefix+md.Attr.Name], md.Attr.Values...)
	}
	return m
}

// Diff computes the changes that make the directory state s match batch
// b. It does no I/O.
func Diff(b *Batch, s *State, opt Options) *Changeset {
	base := s.BaseDN
	cs := &Changeset{BaseDN: base}
	if !s.PeopleOU {
		cs.Changes = append(cs.Changes, containerAdd(peopleDN(base), "people"))
	}
	if !s.GroupsOU {
		cs.Changes = append(cs.Changes, containerAdd(groupsDN(base), "groups"))
	}

	current := make(map[string]*Entry, len(s.People))
	for i := range s.People {
		current[canonical(s.People[i].DN)] = &s.People[i]
	}
	named := make(map[string]*Person, len(b.People)) // canonical DN → person
	establishments := map[string]bool{}
	holders := map[string][]string{} // code → person DNs
	var people []Change
	for i := range b.People {
		p := &b.People[i]
		dn := PersonDN(base, p.UID)
		key := canonical(dn)
		named[key] = p
		for _, o := range p.Attrs["o"] {
			establishments[o] = true
		}
		for _, code := range p.Active {
			holders[code] = append(holders[code], dn)
		}
		e, ok := current[key]
		if !ok {
			people = append(people, personAdd(dn, p))
			continue
		}
		if c, ok := personModify(e, p); ok {
			people = append(people, c)
		} else {
			cs.Unchanged++
		}
	}

	pruned := map[string]bool{}
	if opt.Prune {
		// A person whose row the list has but rejected is named too.
		kept := make(map[string]bool, len(b.Named))
		for _, uid := range b.Named {
			kept[canonical(PersonDN(base, uid))] = true
		}
		for i := range s.People {
			e := &s.People[i]
			key := canonical(e.DN)
			if named[key] != nil || kept[key] || !slices.ContainsFunc(e.get("o"), func(o string) bool { return establishments[o] }) {
				continue
			}
			pruned[key] = true
			if disabled(e) {
				continue
			}
			people = append(people, Change{
				Op: OpRemove, DN: e.DN, Attributes: []string{"description"}, kind: kindPerson,
				mods:   []Mod{{ModAdd, Attr{"description", []string{DisabledPrefix + " " + opt.Date.Format(time.DateOnly)}}}},
				before: []Attr{{"description", e.get("description")}},
			})
		}
	}
	slices.SortFunc(people, func(a, b Change) int { return strings.Compare(a.DN, b.DN) })
	cs.Changes = append(cs.Changes, people...)

	// Groups: only those dccprov manages, found by their canonical DN
	// (cn=CODE,ou=groups,BASE compared case-insensitively), never by their
	// cn attribute, which may differ in case or hold several values. Other
	// groups under ou=groups (cn=vpn-users …) are never examined.
	managed := map[string]string{} // canonical group DN → code
	manage := func(code string) string {
		k := canonical(GroupDN(base, code))
		if _, ok := managed[k]; !ok {
			managed[k] = code
		}
		return k
	}
	members := map[string][]string{}      // canonical group DN → person DNs that hold it
	holds := map[string]map[string]bool{} // canonical group DN → canonical person DNs
	for _, code := range slices.Sorted(maps.Keys(holders)) {
		k := manage(code)
		if holds[k] == nil {
			holds[k] = map[string]bool{}
		}
		for _, dn := range holders[code] {
			if pk := canonical(dn); !holds[k][pk] {
				holds[k][pk] = true
				members[k] = append(members[k], dn)
			}
		}
	}
	for _, code := range b.Codes {
		manage(code)
	}
	for _, code := range opt.Codes {
		manage(code)
	}
	groups := map[string]*Entry{}
	for i := range s.Groups {
		if k := canonical(s.Groups[i].DN); managed[k] != "" {
			groups[k] = &s.Groups[i]
		}
	}
	for k := range members {
		if _, ok := groups[k]; !ok {
			groups[k] = &Entry{DN: GroupDN(base, managed[k])} // Attrs nil: to be created
		}
	}
	var gchanges []Change
	for _, key := range slices.Sorted(maps.Keys(groups)) {
		g := groups[key]
		if g.Attrs == nil {
			gchanges = append(gchanges, Change{
				Op: OpAdd, DN: g.DN, Attributes: []string{"objectClass", "cn", "member"}, kind: kindGroup,
				add: []Attr{{"objectClass", []string{"top", "groupOfNames"}}, {"cn", []string{managed[key]}}, {"member", members[key]}},
			})
			continue
		}
		cur := g.get("member")
		var want []string
		in := map[string]bool{}
		for _, m := range cur {
			k := canonical(m)
			if k == key || in[k] || pruned[k] || (named[k] != nil && !holds[key][k]) {
				continue
			}
			in[k] = true
			want = append(want, m)
		}
		for _, dn := range members[key] {
			if k := canonical(dn); !in[k] {
				in[k] = true
				want = append(want, dn)
			}
		}
		if len(want) == 0 {
			want = []string{Placeholder(g.DN)}
		}
		adds, dels := memberDelta(cur, want)
		if len(adds) == 0 && len(dels) == 0 {
			cs.Unchanged++
			continue
		}
		c := Change{Op: OpModify, DN: g.DN, Attributes: []string{"member"}, kind: kindGroup,
			before: []Attr{{"member", cur}}}
		// Add before delete: the group never lacks a member in between.
		if len(adds) > 0 {
			c.mods = append(c.mods, Mod{ModAdd, Attr{"member", adds}})
		}
		if len(dels) > 0 {
			c.mods = append(c.mods, Mod{ModDelete, Attr{"member", dels}})
		}
		gchanges = append(gchanges, c)
	}
	cs.Changes = append(cs.Changes, gchanges...)
	return cs
}

// memberDelta returns the values of want missing from cur and those of cur
// missing from want, compared as DNs.
func memberDelta(cur, want []string) (adds, dels []string) {
	have := map[string]bool{}
	for _, m := range cur {
		have[canonical(m)] = true
	}
	keep := map[string]bool{}
	for _, m := range want {
		k := canonical(m)
		keep[k] = true
		if !have[k] {
			adds = append(adds, m)
		}
	}
	for _, m := range cur {
		if !keep[canonical(m)] {
			dels = append(dels, m)
		}
	}
	return adds, dels
}

func disabled(e *Entry) bool {
	return slices.ContainsFunc(e.get("description"), func(d string) bool { return strings.HasPrefix(d, DisabledPrefix) })
}

func containerAdd(dn, ou string) Change {
	return Change{
		Op: OpAdd, DN: dn, Attributes: []string{"objectClass", "ou"}, kind: kindContainer,
		add: []Attr{{"objectClass", []string{"top", "organizationalUnit"}}, {"ou", []string{ou}}},
	}
}

func personAdd(dn string, p *Person) Change {
	c := Change{Op: OpAdd, DN: dn, kind: kindPerson,
		Attributes: []string{"objectClass", "uid"},
		add: []Attr{
			{"objectClass", []string{"top", "person", "organizationalPerson", "inetOrgPerson"}},
			{"uid", []string{p.UID}},
		}}
	for _, a := range PersonAttrs {
		if v := p.Attrs[a]; len(v) > 0 {
			c.add = append(c.add, Attr{a, v})
			c.Attributes = append(c.Attributes, a)
		}
	}
	return c
}

// personModify replaces each managed attribute whose values differ and
// re-enables a person pruned earlier.
func personModify(e *Entry, p *Person) (Change, bool) {
	c := Change{Op: OpModify, DN: e.DN, kind: kindPerson}
	for _, a := range PersonAttrs {
		want, cur := p.Attrs[a], e.get(a)
		if sameValues(want, cur) {
			continue
		}
		c.mods = append(c.mods, Mod{ModReplace, Attr{a, want}})
		c.before = append(c.before, Attr{a, cur})
		c.Attributes = append(c.Attributes, a)
	}
	if disabled(e) {
		var marks []string
		for _, d := range e.get("description") {
			if strings.HasPrefix(d, DisabledPrefix) {
				marks = append(marks, d)
			}
		}
		c.mods = append(c.mods, Mod{ModDelete, Attr{"description", marks}})
		c.before = append(c.before, Attr{"description", e.get("description")})
		c.Attributes = append(c.Attributes, "description")
	}
	return c, len(c.mods) > 0
}

func sameValues(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
