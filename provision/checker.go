package provision

import (
	"context"
	"fmt"
	"hash/maphash"
	"iter"
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// checker checks one list in two passes over its rows, so that nothing
// proportional to the list is kept but a few words of keys per row (see
// [rowKeys]):
//
//   - pass 1 ([checker.first]) validates each row and keeps its keys: the
//     hashes cross-row checks compare, and whether it has an error or a
//     warning of its own;
//   - [checker.resolve] runs the cross-row checks (DUPLICATE_ROW,
//     DUPLICATE_PERSON, EMAIL_SHARED) on the keys and completes the counts,
//     so that every row's status is known before any output is written;
//   - pass 2 ([checker.second]) validates each row again (the memos of the
//     [Validator] make it cheap: rows of a list are alike) and gives its
//     person and its problems, the cross-row ones included, for the outputs
//     to write as they go.
//
// Keys are 64-bit hashes (hash/maphash): two different values of a list of
// a million rows share one with a probability of about 10⁻⁷.
type checker struct {
	v       *Validator
	dir     *directory // the Annuaire Santé extract, nil for none
	seed    maphash.Seed
	listed  listedNames
	keys    rowKeysList       // pass 1's, until resolve
	states  []rowState        // pass 2's, from resolve
	est     map[string]uint32 // establishment keys, interned
	estKeys []string          // by id
	cross   []crossFinding    // sorted by row index, after resolve
	next    int               // pass 2: index of the next row
	at      int               // pass 2: first finding of cross not yet given

	rows    Counts
	perCode map[Code]int
	h       maphash.Hash // for rowHash and dataHash, seeded with seed
	keyBuf  []byte       // rowHash's key, reused
	lowBuf  []byte       // dataHash's lowered names, reused
	// problems is pass 1's array for a row's problems, reused.
	problems []Problem
	// folded remembers fold of the values that repeat down a list:
	// establishment names and first names.
	folded memo[string]
	// checks keeps, in pass 1, what was found of each row whose check
	// does not depend on the whole list (nil: not kept): each row with a
	// problem, and with everyRow each row, for a pass 2 that needs every
	// row's person (a run, a report). Pass 2 reads it back through
	// nextCheck instead of checking those rows again ([checker.spooled]).
	everyRow  bool
	checks    *checkSpool
	nextCheck func() (checked, error, bool)
	stopCheck func()
	peeked    checked // the next record, when hasPeeked
	hasPeeked bool
}

// fold is [fold], remembered.
func (c *checker) fold(s string) string { return c.folded.get(s, fold) }

// rowKeys is what pass 1 keeps of a row: its state, which pass 2 keeps
// alone, and what the checks across rows compare.
type rowKeys struct {
	rowState
	est uint32 // establishment key (id in checker.estKeys)
	// Hashes; 0 means none.
	rowK, person, name, email, id, data uint64
}

// rowState is what pass 2 needs of a row's keys.
type rowState struct {
	row   int32 // Excel row number
	flags uint8 // rowError, rowWarning, rowRepeat, rowChecked, rowVerbatim
}

const (
	rowError uint8 = 1 << iota
	rowWarning
	rowRepeat   // DUPLICATE_ROW: compared no further
	rowChecked  // a problem of validation or across rows, not only of reading
	rowVerbatim // read as the file gives it: no repair, no problem ([Row.verbatim])
)

// rowKeysList holds the keys of every row in chunks of a fixed size: a
// slice grown by appending would, at a million rows, copy 64 MB to a new
// 128 MB array and hold both for a moment.
type rowKeysList struct {
	chunks [][]rowKeys
	n      int
}

const rowKeysChunk = 1 << 15

func (l *rowKeysList) add(k rowKeys) {
	if l.n%rowKeysChunk == 0 {
		l.chunks = append(l.chunks, make([]rowKeys, 0, rowKeysChunk))
	}
	last := &l.chunks[len(l.chunks)-1]
	*last = append(*last, k)
	l.n++
}

func (l *rowKeysList) len() int { return l.n }

// states returns each row's number and flags, and empties l, letting each
// chunk of keys go as soon as it is copied.
func (l *rowKeysList) states() []rowState {
	st := make([]rowState, 0, l.n)
	for i, chunk := range l.chunks {
		for _, k := range chunk {
			st = append(st, k.rowState)
		}
		l.chunks[i] = nil
	}
	*l = rowKeysList{}
	return st
}

// at returns the keys of row index i.
func (l *rowKeysList) at(i int) *rowKeys { return &l.chunks[i/rowKeysChunk][i%rowKeysChunk] }

// crossFinding is a cross-row problem of one row, found by
// [checker.resolve].
//
// A national list with many problems has a finding or more a row, all held
// from resolve to the end of pass 2: 48 bytes each, with the code as its
// rank and the rows listed in place.
type crossFinding struct {
	idx   int32 // row index
	other int32 // DUPLICATE_ROW, DUPLICATE_PERSON: the row number it is found with
	more  int32 // EMAIL_SHARED: how many more than those listed
	rank  uint8 // the code, as its [crossRank]
	same  bool  // DUPLICATE_ROW: the same data written otherwise, not an exact repeat
	nrows uint8 // EMAIL_SHARED: how many rows are listed
	// rows are, for EMAIL_SHARED, the first rows of other people with
	// the address.
	rows [maxListedRows]int32
	dp   *dirPerson // directory codes: what the extract says of the row's identifier (nil: absent)
}

// code is the finding's problem code.
func (f *crossFinding) code() Code { return crossCodes[f.rank] }

// listed returns the rows of an EMAIL_SHARED finding.
func (f *crossFinding) listed() []int32 { return f.rows[:f.nrows] }

// crossCodes are the codes of the findings across rows, in the order the
// checks add them to a row ([crossRank]).
var crossCodes = [...]Code{DuplicateRow, DuplicatePerson, EmailShared, IDNotInDirectory, IDNameMismatch, ProfessionMismatch, EstablishmentNotInDirectory}

func newChecker(v *Validator) *checker {
	c := &checker{v: v, seed: maphash.MakeSeed(), listed: listedNames{}, est: map[string]uint32{}, perCode: map[Code]int{}}
	c.h.SetSeed(c.seed)
	return c
}

func (c *checker) hash(s string) uint64 {
	h := maphash.String(c.seed, s)
	if h == 0 {
		h = 1
	}
	return h
}

// rowHash is the hash of [rowKey] (0 for a row with no value), written
// piece by piece: no string per row.
func (c *checker) rowHash(r Row) uint64 {
	var empty bool
	if c.keyBuf, empty = appendRowKey(c.keyBuf[:0], r); empty {
		return 0
	}
	c.h.Reset()
	c.h.Write(c.keyBuf)
	return nonZero(c.h.Sum64())
}

// dataHash is the hash of what must agree between two rows of one person
// at one establishment: everything an account line, the LDAP entry or the
// store takes from the row but the establishment's name (the FINESS
// decides): names (case aside, as for [rowKey]), email, mobile, kind of
// identifier, profession and its TRE_R85 role, specialty, login mode and
// the set of habilitations. Rows that agree on it give one account, and
// the later ones are repeats. It is written piece by piece.
func (c *checker) dataHash(p Person) uint64 {
	c.h.Reset()
	spec, role := "", ""
	if p.Specialty != nil {
		spec = p.Specialty.Code
	}
	if p.Profession.Role != nil {
		role = p.Profession.Role.Code
	}
	for _, s := range []string{p.BirthName, p.UsageName, p.FirstName} {
		c.lowBuf = append(appendLower(c.lowBuf[:0], s), 0)
		c.h.Write(c.lowBuf)
	}
	for i, s := range []string{p.Email, p.Mobile, string(p.ID.Kind), p.Profession.System, p.Profession.Code, role, spec, string(p.LoginMode)} {
		if i > 0 {
			c.h.WriteByte(0)
		}
		c.h.WriteString(s)
	}
	c.h.WriteByte(0)
	var buf [8]string
	codes := buf[:0]
	for _, q := range p.Habilitations {
		codes = append(codes, q.Code)
	}
	slices.Sort(codes)
	for i, code := range slices.Compact(codes) {
		if i > 0 {
			c.h.WriteByte(',')
		}
		c.h.WriteString(code)
	}
	return nonZero(c.h.Sum64())
}

func nonZero(h uint64) uint64 {
	if h == 0 {
		return 1
	}
	return h
}

func (c *checker) intern(k string) uint32 {
	if id, ok := c.est[k]; ok {
		return id
	}
	id := uint32(len(c.estKeys))
	c.est[k] = id
	c.estKeys = append(c.estKeys, k)
	return id
}

// first is pass 1 for row r, read being the problems found reading it
// (repairs, hidden row).
func (c *checker) first(r Row, read []Problem) {
	// Pass 1 keeps none of a row's problems (the check spool has their
	// record): their array serves the next row.
	rc := c.v.checkRowInto(r, nil, c.problems)
	c.problems = rc.problems
	c.listed.add(r, c.fold)
	k := rowKeys{rowState: rowState{row: int32(r.Number)}}
	for _, ps := range [][]Problem{read, rc.problems} {
		for _, p := range ps {
			c.perCode[p.Code]++
			switch p.Severity {
			case SeverityError:
				k.flags |= rowError
			case SeverityWarning:
				k.flags |= rowWarning
			}
		}
	}
	if len(rc.problems) > 0 {
		k.flags |= rowChecked
	}
	if r.verbatim {
		k.flags |= rowVerbatim
	}
	if c.checks != nil && rc.estListed == "" && (len(rc.problems) > 0 || c.everyRow) {
		c.checks.add(c.keys.len(), &rc.person, rc.problems)
	}
	k.rowK = c.rowHash(r)
	p := rc.person
	name := nameKey(p, c.fold)
	k.name = c.hash(name)
	if pk := personKey(p, name); pk != "" {
		k.person = c.hash(pk)
	}
	if p.Email != "" {
		k.email = c.hash(p.Email)
	}
	if !p.ID.IsZero() {
		k.id = c.hash(p.ID.IDNatPS())
	}
	k.data = c.dataHash(p)
	if rc.estListed != "" {
		// The list decides later which FINESS this name has.
		k.est = c.intern("?" + rc.estListed)
	} else {
		k.est = c.intern(establishmentKey(p))
	}
	if c.dir != nil {
		c.dir.note(c.keys.len(), p)
	}
	c.keys.add(k)
}

// resolve runs the cross-row checks after pass 1 and completes the counts.
func (c *checker) resolve() {
	c.resolveEstablishments()
	ks := &c.keys
	var found []crossFinding

	// DUPLICATE_ROW: a row repeating an earlier one exactly is flagged and
	// compared no further.
	// The sorts below share their arrays: 32 MB at a million rows, let go
	// when resolve returns, before pass 2.
	var sc sortScratch
	order := c.indexes(&sc, func(k *rowKeys) uint64 { return k.rowK })
	for g := range groups(order, func(i int32) uint64 { return ks.at(int(i)).rowK }) {
		for _, i := range g[1:] {
			ks.at(int(i)).flags |= rowRepeat
			found = append(found, crossFinding{idx: i, rank: crossRank(DuplicateRow), other: ks.at(int(g[0])).row})
		}
	}
	kept := func(f func(*rowKeys) uint64) func(*rowKeys) uint64 {
		return func(k *rowKeys) uint64 {
			if k.flags&rowRepeat != 0 {
				return 0
			}
			return f(k)
		}
	}
	// A row of a person at an establishment that gives the same data as an
	// earlier one, written otherwise ("Lecture" for "Consultation", "JEAN"
	// for "Jean"), is a repeat too: the outputs take the person once.
	same := kept(func(k *rowKeys) uint64 {
		if k.person == 0 {
			return 0
		}
		return nonZero(k.person ^ bits.RotateLeft64(k.data, 21) ^ bits.RotateLeft64(uint64(k.est)+1, 42))
	})
	order = c.indexes(&sc, same)
	for g := range groups(order, func(i int32) uint64 { return same(ks.at(int(i))) }) {
		first := ks.at(int(g[0]))
		for _, i := range g[1:] {
			k := ks.at(int(i))
			if k.person != first.person || k.data != first.data || k.est != first.est {
				continue // hashes that met by chance
			}
			k.flags |= rowRepeat
			found = append(found, crossFinding{idx: i, rank: crossRank(DuplicateRow), other: first.row, same: true})
		}
	}
	order = c.indexes(&sc, kept(func(k *rowKeys) uint64 { return k.person }))
	for g := range groups(order, func(i int32) uint64 { return ks.at(int(i)).person }) {
		found = c.duplicatePeople(found, g)
	}
	order = c.indexes(&sc, kept(func(k *rowKeys) uint64 { return k.email }))
	for g := range groups(order, func(i int32) uint64 { return ks.at(int(i)).email }) {
		found = c.sharedEmail(found, g)
	}
	found = c.resolveDirectory(found)
	sortFindings(found, &sc)
	c.cross = found

	c.rows = Counts{Read: ks.len()}
	for _, f := range found {
		c.perCode[f.code()]++
		ks.at(int(f.idx)).flags |= rowChecked
		switch Codes[f.code()].Severity {
		case SeverityError:
			ks.at(int(f.idx)).flags |= rowError
		case SeverityWarning:
			ks.at(int(f.idx)).flags |= rowWarning
		}
	}
	for i := range ks.len() {
		k := ks.at(i)
		switch {
		case k.flags&rowError != 0:
			c.rows.Rejected++
		default:
			c.rows.Accepted++
			if k.flags&rowWarning != 0 {
				c.rows.WithWarnings++
			}
		}
	}
	// Pass 2 needs of the keys only each row's number and flags: the
	// hashes (56 bytes a row, 56 MB at a million) go, and so does pass
	// 1's array of problems.
	c.states = ks.states()
	c.problems = nil
}

// sortFindings sorts found by row index, then by [crossRank], keeping the
// order of findings equal in both, as a stable sort does. A stable sort of
// the findings themselves (48 bytes each, a few hundred thousand on a
// national list with many problems) moved them O(n log² n) times: their
// keys are radix-sorted with their positions instead, and the findings
// then put in their places in one pass, by cycles.
func sortFindings(found []crossFinding, sc *sortScratch) {
	ks, buf := sc.arrays(len(found))
	for i, f := range found {
		ks = append(ks, keyed{uint64(f.idx)<<3 | uint64(f.rank), int32(i)})
	}
	ks = radixSort(ks, buf[:len(ks)])
	// found[j] is to become found[ks[j].i]: follow each cycle, marking
	// the places filled.
	for j := range ks {
		if ks[j].i < 0 {
			continue
		}
		tmp, k := found[j], j
		for {
			src := int(ks[k].i)
			ks[k].i = -1
			if src == j {
				found[k] = tmp
				break
			}
			found[k], k = found[src], src
		}
	}
}

// crossRank is the order in which the cross-row checks add their
// problems to a row, their place in [crossCodes]: a finding stores its
// code as this rank, in 3 bits of [sortFindings]'s key. A code that is not
// one of theirs is a mistake of the program, as in [NewProblem].
func crossRank(code Code) uint8 {
	if i := slices.Index(crossCodes[:], code); i >= 0 {
		return uint8(i)
	}
	panic(fmt.Sprintf("provision: %s is not a code of the checks across rows", code))
}

// resolveEstablishments gives a row that names its establishment by name
// alone the FINESS the list gives that name, when it gives one only (see
// [Validator.checkEstablishment]).
func (c *checker) resolveEstablishments() {
	final := make([]uint32, len(c.estKeys))
	for id, k := range slices.Clone(c.estKeys) {
		name, pending := strings.CutPrefix(k, "?")
		switch {
		case !pending:
			final[id] = uint32(id)
		case len(c.listed[name].finess) == 1:
			final[id] = c.intern(c.listed[name].finess[0])
		default:
			final[id] = c.intern("name:" + name)
		}
	}
	for i := range c.keys.len() {
		c.keys.at(int(i)).est = final[c.keys.at(int(i)).est]
	}
}

// indexes returns the indexes of the rows whose key is not 0, ordered by
// key, then file order.
func (c *checker) indexes(sc *sortScratch, key func(*rowKeys) uint64) []int32 {
	// The keys are sorted with their indexes, not looked up by index at
	// each comparison: half the time on a national list.
	n := c.keys.len()
	ks, buf := sc.arrays(n)
	for i := range n {
		if k := key(c.keys.at(int(i))); k != 0 {
			ks = append(ks, keyed{k, int32(i)})
		}
	}
	ks = radixSort(ks, buf[:len(ks)])
	out := make([]int32, len(ks))
	for j, k := range ks {
		out[j] = k.i
	}
	return out
}

// A keyed is a key and the index of what it is the key of.
type keyed struct {
	k uint64
	i int32
}

// sortScratch holds the two arrays of [radixSort], for several sorts.
type sortScratch [2][]keyed

// arrays returns both arrays empty, with room for n keys.
func (sc *sortScratch) arrays(n int) (ks, buf []keyed) {
	for i := range sc {
		if cap(sc[i]) < n {
			sc[i] = make([]keyed, 0, n)
		}
	}
	return sc[0][:0], sc[1][:0]
}

// radixSort sorts ks by key, keeping the order of equal keys, with buf (as
// long as ks) as scratch, and returns the sorted slice: ks or buf. Given
// ks in index order, that is the order by key then index, in eight linear
// passes (one a byte of the key, skipped when every key has the same byte
// there) where a comparison sort took some twenty comparisons a row: the
// keys are hashes, as good as random.
func radixSort(ks, buf []keyed) []keyed {
	var count [8][256]int
	for _, k := range ks {
		for d := range 8 {
			count[d][byte(k.k>>(8*d))]++
		}
	}
	for d := range 8 {
		c := &count[d]
		if len(ks) == 0 || c[byte(ks[0].k>>(8*d))] == len(ks) {
			continue // one byte for all: nothing moves
		}
		at := 0
		for b := range c {
			c[b], at = at, at+c[b]
		}
		for _, k := range ks {
			b := byte(k.k >> (8 * d))
			buf[c[b]] = k
			c[b]++
		}
		ks, buf = buf, ks
	}
	return ks
}

// groups yields the runs of order (sorted by key) that share a key and
// hold more than one row.
func groups(order []int32, key func(int32) uint64) func(func([]int32) bool) {
	return func(yield func([]int32) bool) {
		for i := 0; i < len(order); {
			j := i + 1
			for j < len(order) && key(order[j]) == key(order[i]) {
				j++
			}
			if j-i > 1 && !yield(order[i:j]) {
				return
			}
			i = j
		}
	}
}

// duplicatePeople flags the rows of group g (rows of one person, in file
// order) that conflict with another: a different name anywhere, or
// different data at the same establishment. It runs in linear time: for
// each row, the partner named in the message is the first row of the group
// whose name differs, or the first row of its establishment whose data
// differs, whichever comes first.
func (c *checker) duplicatePeople(found []crossFinding, g []int32) []crossFinding {
	ks := &c.keys
	// For the names, and for the data of each establishment: the first
	// row, and the first row whose key differs from it. Any row's first
	// conflicting partner is one of the two.
	type pair struct{ first, other int32 }
	byName := pair{g[0], -1}
	byEst := map[uint32]*pair{}
	for _, i := range g {
		if byName.other < 0 && ks.at(int(i)).name != ks.at(int(byName.first)).name {
			byName.other = i
		}
		if b := byEst[ks.at(int(i)).est]; b == nil {
			byEst[ks.at(int(i)).est] = &pair{i, -1}
		} else if b.other < 0 && ks.at(int(i)).data != ks.at(int(b.first)).data {
			b.other = i
		}
	}
	partner := func(pr pair, differs func(int32) bool) int32 {
		if differs(pr.first) {
			return pr.first
		}
		return pr.other
	}
	for _, i := range g {
		a := partner(byName, func(j int32) bool { return ks.at(int(j)).name != ks.at(int(i)).name })
		b := partner(*byEst[ks.at(int(i)).est], func(j int32) bool { return ks.at(int(j)).data != ks.at(int(i)).data })
		switch {
		case a < 0 && b < 0:
			continue
		case a < 0 || b >= 0 && ks.at(int(b)).row < ks.at(int(a)).row:
			a = b
		}
		found = append(found, crossFinding{idx: i, rank: crossRank(DuplicatePerson), other: ks.at(int(a)).row})
	}
	return found
}

// sharedEmail flags each row of group g (rows with one address, in file
// order) that another person's row shares it with: different identifiers,
// or without both identifiers different names.
func (c *checker) sharedEmail(found []crossFinding, g []int32) []crossFinding {
	ks := &c.keys
	// Rows the same person as row i: with an identifier, the rows with
	// that identifier and the rows without one of that name; without, the
	// rows of that name.
	byID, byName, byNameNoID := map[uint64]int{}, map[uint64]int{}, map[uint64]int{}
	for _, i := range g {
		if ks.at(int(i)).id != 0 {
			byID[ks.at(int(i)).id]++
		} else {
			byNameNoID[ks.at(int(i)).name]++
		}
		byName[ks.at(int(i)).name]++
	}
	different := func(i, j int32) bool {
		if ks.at(int(i)).id != 0 && ks.at(int(j)).id != 0 {
			return ks.at(int(i)).id != ks.at(int(j)).id
		}
		return ks.at(int(i)).name != ks.at(int(j)).name
	}
	for _, i := range g {
		same := byName[ks.at(int(i)).name]
		if ks.at(int(i)).id != 0 {
			same = byID[ks.at(int(i)).id] + byNameNoID[ks.at(int(i)).name]
		}
		n := len(g) - same
		if n <= 0 {
			continue
		}
		f := crossFinding{idx: i, rank: crossRank(EmailShared)}
		for _, j := range g {
			if f.nrows == maxListedRows {
				break
			}
			if j != i && different(i, j) {
				f.rows[f.nrows] = ks.at(int(j)).row
				f.nrows++
			}
		}
		f.more = int32(n - int(f.nrows))
		found = append(found, f)
	}
	return found
}

// verbatim reports whether pass 1 read the i-th row, Excel row number,
// verbatim ([Row.verbatim]). It only reads the rows' states, which pass 2
// does not change: [source.againRows] calls it from the goroutine that
// reads ahead.
func (c *checker) verbatim(i, number int) bool {
	if i >= len(c.states) {
		return false
	}
	k := c.states[i]
	return k.flags&rowVerbatim != 0 && int(k.row) == number
}

// clean reports whether the next row of pass 2 has no problem but those
// found reading it (pass 1 found none, the cross-row checks none), and if
// so skips it: its person is not needed, and its problems are those the
// reading gives again.
func (c *checker) clean() bool {
	if c.next >= len(c.states) || c.states[c.next].flags&rowChecked != 0 {
		return false
	}
	c.next++
	return true
}

// spooled returns what pass 1 found of row r, the next row of pass 2, if
// it kept it ([checker.checks]): the check of a row whose establishment
// the list does not decide is the same in both passes. When the spool
// cannot be read back, the rows are checked again.
func (c *checker) spooled(r Row) (rowCheck, bool) {
	if c.nextCheck == nil {
		return rowCheck{}, false
	}
	for !c.hasPeeked || c.peeked.index < c.next {
		rec, err, ok := c.nextCheck()
		if err != nil || !ok {
			c.endChecks()
			return rowCheck{}, false
		}
		c.peeked, c.hasPeeked = rec, true
	}
	if c.peeked.index != c.next {
		return rowCheck{}, false
	}
	rc := rowCheck{row: r, person: c.peeked.person, problems: c.peeked.problems}
	c.peeked, c.hasPeeked = checked{}, false
	return rc, true
}

// startChecks starts reading back the spooled checks, for pass 2.
func (c *checker) startChecks() {
	if c.checks != nil && c.nextCheck == nil {
		c.nextCheck, c.stopCheck = iter.Pull2(c.checks.checks())
	}
}

// endChecks drops the spooled checks: pass 2 is done, or they cannot be
// read back.
func (c *checker) endChecks() {
	if c.stopCheck != nil {
		c.stopCheck()
	}
	if c.checks != nil {
		c.checks.Close()
	}
	c.checks, c.nextCheck, c.stopCheck, c.peeked, c.hasPeeked = nil, nil, nil, checked{}, false
}

// second is pass 2 for row r (rows come in the order of pass 1): the
// person and every problem of the row but those of read, sorted. A person
// with a problem of severity error, in read or among those, is
// [StatusRejected].
func (c *checker) second(r Row, read []Problem) (Person, []Problem) {
	rc, ok := c.spooled(r)
	if !ok {
		rc = c.v.checkRow(r, c.listed)
	}
	idx := int32(c.next)
	c.next++
	for ; c.at < len(c.cross) && c.cross[c.at].idx <= idx; c.at++ {
		f := c.cross[c.at]
		if f.idx < idx {
			continue
		}
		switch f.code() {
		case DuplicateRow:
			rc.person.DuplicateOf = int(f.other)
			msg := "La ligne répète exactement la ligne " + strconv.Itoa(int(f.other)) + " ; elle n'est prise en compte qu'une fois."
			if f.same {
				msg = "La ligne donne les mêmes informations que la ligne " + strconv.Itoa(int(f.other)) +
					", écrites autrement ; elle n'est prise en compte qu'une fois."
			}
			rc.add(DuplicateRow, Cell{Row: r.Number}, msg, "")
		case DuplicatePerson:
			addDuplicatePerson(&rc, int(f.other))
		case EmailShared:
			var others []string
			for _, n := range f.listed() {
				others = append(others, strconv.Itoa(int(n)))
			}
			list := strings.Join(others, ", ")
			if f.more > 0 {
				list += fmt.Sprintf(" et %d autre(s)", f.more)
			}
			cell := rc.row.Get(FieldEmail)
			rc.add(EmailShared, cell,
				fmt.Sprintf("L'adresse %s est aussi donnée à une autre personne (ligne %s).", quote(clean(cell.Value)), list), "")
		case IDNotInDirectory, IDNameMismatch, ProfessionMismatch, EstablishmentNotInDirectory:
			c.addDirectory(&rc, f)
		}
	}
	p := rc.person
	p.Status = StatusAccepted
	for _, ps := range [][]Problem{read, rc.problems} {
		for _, pr := range ps {
			if pr.Severity == SeverityError {
				p.Status = StatusRejected
			}
		}
	}
	SortProblems(rc.problems)
	return p, rc.problems
}

// validateTable is [Validator.Validate] with the cross-check against the
// extract dir (nil for none), whose account it returns.
func (v *Validator) validateTable(ctx context.Context, t *Table, dir *directory) ([]Person, []Problem, *DirectoryInfo, error) {
	read := problemsByRow(t.Problems)
	c := newChecker(v)
	c.dir = dir
	for _, r := range t.Rows {
		c.first(r, read[r.Number])
	}
	if dir != nil {
		if err := dir.load(ctx); err != nil {
			return nil, nil, nil, err
		}
	}
	c.resolve()
	people := make([]Person, 0, len(t.Rows))
	var problems []Problem
	for _, r := range t.Rows {
		p, ps := c.second(r, read[r.Number])
		people = append(people, p)
		problems = append(problems, ps...)
	}
	SortProblems(problems)
	return people, problems, c.dirInfo(), nil
}

// add indexes the establishment name of row r: its first spelling and
// the valid FINESS numbers rows give it.
func (m listedNames) add(r Row, fold func(string) string) {
	name := clean(r.Get(FieldEstablishment).Value)
	k := fold(name)
	if k == "" {
		return
	}
	ln, ok := m[k]
	if !ok {
		ln.spelling = name
	}
	if f, err := ParseFINESS(clean(r.Get(FieldFINESS).Value)); err == nil && !slices.Contains(ln.finess, f.String()) {
		ln.finess = append(ln.finess, f.String())
	}
	m[k] = ln
}
