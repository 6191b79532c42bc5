// Package biglist generates large synthetic staff lists, deterministically,
// for benchmarks: realistic rows in the columns, spellings and value kinds
// of samples/liste-personnels, with problems planted at known rows.
//
// Every row is a pure function of the options' seed and of its index, so
// a row that repeats an earlier one (a duplicate, a shared email) is built
// again rather than remembered: generating streams, whatever the size.
// The same [Options] always give the same bytes.
package biglist

import (
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
)

// The problem mixes of [Options].
const (
	// Realistic plants one problem in 5 % of the rows: exactly one row in
	// each block of 20, at a position that varies from block to block.
	Realistic = "realistic"
	// Heavy plants at least two problems in every row.
	Heavy = "heavy"
)

// MaxRows is the largest list [Generate] makes: every RPPS number of a
// list is distinct, and the synthetic range holds 10 000 000 of them.
const MaxRows = 10_000_000

// Options says what list to generate.
type Options struct {
	Rows     int    // people rows, 1 to [MaxRows]
	Problems string // [Realistic] (the default when empty) or [Heavy]
	Seed     uint64
}

// Columns is the header row: the headers of samples/liste-personnels, in
// its order.
var Columns = []string{
	"Nom de naissance", "Nom d'usage", "Prénom", "Adresse mail professionnelle", "Tél. portable",
	"Profession", "Spécialité", "N° RPPS/ADELI", "Établissement", "FINESS", "Habilitation(s)", "Mode de connexion",
}

// The indexes of [Columns] in [Row.Cells]; NumColumns is len(Columns).
const (
	ColBirthName = iota
	ColUsageName
	ColFirstName
	ColEmail
	ColPhone
	ColProfession
	ColSpecialty
	ColID
	ColEstablishment
	ColFINESS
	ColHabilitations
	ColLoginMode
	NumColumns
)

// Kind is a kind of planted problem, named after the code dccprov reports
// for it.
type Kind string

// The kinds of planted problem. The first group concerns the row alone;
// the second repeats something of an earlier row, which dccprov reports
// too for [EmailShared] and [DuplicatePerson]: those are the only problems
// it finds outside the planted rows.
const (
	EmailInvalid        Kind = "EMAIL_INVALID"         // "@@", no "@" or a space
	PhoneInvalid        Kind = "PHONE_INVALID"         // too few or too many digits
	ProfessionUnknown   Kind = "PROFESSION_UNKNOWN"    // a typo or an invented profession
	RPPSInvalid         Kind = "RPPS_INVALID"          // wrong check key
	FINESSInvalid       Kind = "FINESS_INVALID"        // wrong check key
	HabilitationUnknown Kind = "HABILITATION_UNKNOWN"  // not in the catalogue
	SMSWithoutMobile    Kind = "AUTH_MODE_UNSATISFIED" // SMS login, no phone
	AuthModeUnknown     Kind = "AUTH_MODE_UNKNOWN"     // "Badge"…
	NameInvalid         Kind = "NAME_INVALID"          // a digit in the birth name

	DuplicateRow    Kind = "DUPLICATE_ROW"    // an exact copy of an earlier row
	EmailShared     Kind = "EMAIL_SHARED"     // the email of an earlier, different person
	DuplicatePerson Kind = "DUPLICATE_PERSON" // the RPPS of an earlier, different person
)

// rowKinds and crossKinds are the kinds, in the order the realistic mix
// cycles through them.
var (
	rowKinds = []Kind{EmailInvalid, PhoneInvalid, ProfessionUnknown, RPPSInvalid, FINESSInvalid,
		HabilitationUnknown, SMSWithoutMobile, AuthModeUnknown, NameInvalid}
	crossKinds = []Kind{DuplicateRow, EmailShared, DuplicatePerson}
)

// fields returns the set of columns a kind changes, as bits; two kinds
// that change a column in common are never planted in one row.
func (k Kind) fields() uint {
	switch k {
	case EmailInvalid, EmailShared:
		return 1 << ColEmail
	case PhoneInvalid:
		return 1 << ColPhone
	case SMSWithoutMobile:
		return 1<<ColPhone | 1<<ColLoginMode
	case AuthModeUnknown:
		return 1 << ColLoginMode
	case RPPSInvalid, DuplicatePerson:
		return 1 << ColID
	case ProfessionUnknown:
		return 1 << ColProfession
	case FINESSInvalid:
		return 1 << ColFINESS
	case HabilitationUnknown:
		return 1 << ColHabilitations
	case NameInvalid:
		return 1 << ColBirthName
	}
	return 1<<NumColumns - 1 // DuplicateRow: the whole row
}

// Row is one generated people row.
type Row struct {
	// Cells are the values, in [Columns] order.
	Cells [NumColumns]string
	// Number marks the cells a workbook stores as numbers: identifiers
	// typed into cells of the General format, as most lists have them.
	Number [NumColumns]bool
	// Problems are the kinds planted in the row, nil for a valid row. A
	// [DuplicateRow] also repeats the problems of the row it copies.
	Problems []Kind
}

// Generate returns the rows o describes, in order. It fails only on
// invalid options.
func Generate(o Options) (iter.Seq[Row], error) {
	g, err := newGenerator(o)
	if err != nil {
		return nil, err
	}
	return func(yield func(Row) bool) {
		for i := range o.Rows {
			if !yield(g.row(i)) {
				return
			}
		}
	}, nil
}

// ErrOptions is the error of invalid options.
var ErrOptions = errors.New("biglist: invalid options")

func (o Options) check() error {
	switch {
	case o.Rows < 1 || o.Rows > MaxRows:
		return fmt.Errorf("%w: %d rows, not between 1 and %d", ErrOptions, o.Rows, MaxRows)
	case o.Problems != "" && o.Problems != Realistic && o.Problems != Heavy:
		return fmt.Errorf("%w: problem mix %q, not %q or %q", ErrOptions, o.Problems, Realistic, Heavy)
	}
	return nil
}

// The name space: stem × middle × end × first name. nameSpace persons
// have distinct names; past it, emails take a number.
var nameSpace = len(lastStems) * len(lastMiddles) * len(lastEnds) * len(firstNames)

// Multipliers of the affine permutations that give each row a distinct
// name and RPPS number. Each must be coprime with its modulus
// (TestPermutations).
const (
	nameStride = 611_953
	nameOffset = 40_503 // spreads the seeds over the space
	rppsStride = 7_654_321
	rppsSpace  = 10_000_000
	rppsOffset = 2_654_435_761 // spreads the seeds over the range
)

// generator builds rows. Its two sources are reseeded for every row, so
// that a row depends only on the seed and its index.
type generator struct {
	o        Options
	roleSum  int
	src, aux rand.PCG
	rng, arn *rand.Rand
}

func newGenerator(o Options) (*generator, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	if o.Problems == "" {
		o.Problems = Realistic
	}
	g := &generator{o: o}
	for _, r := range roles {
		g.roleSum += r.weight
	}
	g.rng = rand.New(&g.src)
	g.arn = rand.New(&g.aux)
	return g, nil
}

// Stream keys keep the per-row sources of the plan and of the values apart.
const (
	streamPlan  = 0x9e3779b97f4a7c15
	streamValue = 0xbf58476d1ce4e5b9
	streamBlock = 0x94d049bb133111eb
)

// plan returns the kinds planted in row i, before any fallback: a pure
// function of the seed and i.
func (g *generator) plan(i int) []Kind {
	if g.o.Problems == Heavy {
		g.aux.Seed(g.o.Seed^streamPlan, uint64(i))
		all := len(rowKinds) + len(crossKinds)
		a := g.arn.IntN(all)
		b := g.arn.IntN(all - 1)
		if b >= a {
			b++
		}
		ka, kb := kindAt(a), kindAt(b)
		switch {
		case ka == DuplicateRow || kb == DuplicateRow:
			return []Kind{DuplicateRow}
		case ka.fields()&kb.fields() != 0 || a >= len(rowKinds) && b >= len(rowKinds):
			// Two kinds on one field, or two repeats (an email shared with
			// one earlier row and an RPPS number with another could be the
			// same row: one person again, not two problems): the second
			// moves to the next kind of the row alone on another field.
			for n := range len(rowKinds) {
				k := rowKinds[(b+n)%len(rowKinds)]
				if k.fields()&ka.fields() == 0 {
					kb = k
					break
				}
			}
		}
		return []Kind{ka, kb}
	}
	block := i / 20
	g.aux.Seed(g.o.Seed^streamBlock, uint64(block))
	if i%20 != g.arn.IntN(20) {
		return nil
	}
	// Cycle through every kind, the cross-row ones a little less often.
	n := g.arn.IntN(len(rowKinds)*3 + len(crossKinds)*2)
	if n < len(rowKinds)*3 {
		return []Kind{rowKinds[n%len(rowKinds)]}
	}
	return []Kind{crossKinds[(n-len(rowKinds)*3)%len(crossKinds)]}
}

func kindAt(n int) Kind {
	if n < len(rowKinds) {
		return rowKinds[n]
	}
	return crossKinds[n-len(rowKinds)]
}

// row returns row i, its problems planted.
func (g *generator) row(i int) Row {
	kinds := g.plan(i)
	if len(kinds) == 0 {
		return g.base(i)
	}
	// A kind that repeats an earlier row needs an earlier row fit for it;
	// when there is none (the first rows), a kind of the row alone, on a
	// field no other planted kind changes, takes its place.
	var final []Kind
	repeated := map[Kind]string{} // the value of the earlier row repeated
	for _, k := range kinds {
		if k != DuplicateRow && k != EmailShared && k != DuplicatePerson {
			final = append(final, k)
			continue
		}
		j, ok := g.earlier(i, k)
		switch {
		case ok && k == DuplicateRow:
			r := g.row(j) // j repeats no other row (see earlier)
			r.Problems = append([]Kind{DuplicateRow}, r.Problems...)
			return r
		case ok && k == EmailShared:
			repeated[k] = g.base(j).Cells[ColEmail]
			final = append(final, k)
		case ok:
			repeated[k] = g.base(j).Cells[ColID]
			final = append(final, k)
		}
	}
	want := len(kinds)
	if g.o.Problems == Heavy {
		want = max(want, 2)
	}
	for n := 0; len(final) < want && n < len(rowKinds); n++ {
		alt := rowKinds[(i+n)%len(rowKinds)]
		if fieldsOf(final)&alt.fields() == 0 {
			final = append(final, alt)
		}
	}
	r := g.base(i)
	g.src.Seed(g.o.Seed^streamPlan^streamValue, uint64(i))
	// Kinds that need an RPPS number give the person one first.
	if slices.Contains(final, RPPSInvalid) || slices.Contains(final, DuplicatePerson) {
		if r.Cells[ColID] == "" {
			g.makeDoctor(&r, i)
		}
	}
	for _, k := range final {
		g.apply(&r, k, repeated[k])
	}
	r.Problems = final
	return r
}

func fieldsOf(kinds []Kind) uint {
	var f uint
	for _, k := range kinds {
		f |= k.fields()
	}
	return f
}

// earlier returns a row before i that row i may repeat for kind k: in the
// realistic mix, a valid row; in the heavy one, a row that repeats no
// other row and whose repeated value no problem changed.
// It looks back from a pseudo-random row, a bounded number of rows.
func (g *generator) earlier(i int, k Kind) (int, bool) {
	if i == 0 {
		return 0, false
	}
	g.aux.Seed(g.o.Seed^streamValue, uint64(i))
	j := g.arn.IntN(i)
	for n := 0; n < 64 && j >= 0; n, j = n+1, j-1 {
		kinds := g.plan(j)
		// In the realistic mix, a row with a problem has only that one.
		fit := g.o.Problems == Heavy || kinds == nil
		for _, kj := range kinds {
			if kj == DuplicateRow || kj == EmailShared || kj == DuplicatePerson {
				fit = false // j repeats another row
			}
			if k != DuplicateRow && kj.fields()&k.fields() != 0 {
				fit = false // j's value is itself planted
			}
		}
		if k == DuplicatePerson && fit && g.base(j).Cells[ColID] == "" {
			fit = false
		}
		if fit {
			return j, true
		}
	}
	return 0, false
}

// apply plants kind k in r; repeated is the value of an earlier row that
// a cross-row kind repeats.
func (g *generator) apply(r *Row, k Kind, repeated string) {
	c := &r.Cells
	switch k {
	case EmailInvalid:
		local, domain, _ := strings.Cut(c[ColEmail], "@")
		switch g.rng.IntN(3) {
		case 0:
			c[ColEmail] = local + "@@" + domain
		case 1:
			c[ColEmail] = local + "." + domain
		default:
			c[ColEmail] = strings.Replace(local, ".", " ", 1) + "@" + domain
		}
	case PhoneInvalid:
		digits := strings.ReplaceAll(c[ColPhone], " ", "")
		if c[ColPhone] == "" || !strings.HasPrefix(digits, "0") {
			digits = "0612345678"
		}
		if g.rng.IntN(2) == 0 {
			c[ColPhone] = digits[:8] // two digits missing
		} else {
			c[ColPhone] = digits + "12" // two digits too many
		}
	case ProfessionUnknown:
		c[ColProfession] = pick(g.rng, unknownProfessions)
		c[ColSpecialty] = ""
	case RPPSInvalid:
		key := c[ColID][10] - '0'
		c[ColID] = c[ColID][:10] + strconv.Itoa(int(key+1+uint8(g.rng.IntN(9)))%10)
	case FINESSInvalid:
		key := c[ColFINESS][8] - '0'
		c[ColFINESS] = c[ColFINESS][:8] + strconv.Itoa(int(key+1+uint8(g.rng.IntN(9)))%10)
	case HabilitationUnknown:
		c[ColHabilitations] = pick(g.rng, unknownHabilitations)
	case SMSWithoutMobile:
		c[ColLoginMode] = "SMS"
		c[ColPhone] = ""
	case AuthModeUnknown:
		c[ColLoginMode] = pick(g.rng, unknownLogins)
	case NameInvalid:
		c[ColBirthName] += strconv.Itoa(1 + g.rng.IntN(9))
	case EmailShared:
		c[ColEmail] = repeated
	case DuplicatePerson:
		c[ColID] = repeated
	}
}

// makeDoctor turns the person of r into a doctor with an RPPS number.
func (g *generator) makeDoctor(r *Row, i int) {
	d := roles[0]
	r.Cells[ColProfession] = d.profession
	r.Cells[ColSpecialty] = d.specialties[0]
	r.Cells[ColHabilitations] = d.habilitations[0]
	r.Cells[ColLoginMode] = d.logins[0]
	r.Cells[ColID] = rppsOf(g.o.Seed, i)
	r.Number[ColID] = true
}

// base returns row i without planted problems.
func (g *generator) base(i int) Row {
	g.src.Seed(g.o.Seed^streamValue, uint64(i))
	rng := g.rng
	var r Row
	c := &r.Cells

	space := uint64(nameSpace)
	k := (uint64(i)*nameStride + g.o.Seed%space*nameOffset) % space
	round := i / nameSpace
	first := firstNames[k%uint64(len(firstNames))]
	k /= uint64(len(firstNames))
	end := lastEnds[k%uint64(len(lastEnds))]
	k /= uint64(len(lastEnds))
	middle := lastMiddles[k%uint64(len(lastMiddles))]
	k /= uint64(len(lastMiddles))
	last := lastStems[k] + middle + end

	e := establishments[rng.IntN(len(establishments))]
	ro := g.pickRole(rng)

	c[ColBirthName] = last
	c[ColFirstName] = first
	local := emailPart(first) + "." + emailPart(last)
	if round > 0 {
		local += strconv.Itoa(round + 1) // a namesake: the mailbox takes a number
	}
	c[ColEmail] = local + "@" + e.domain
	c[ColPhone] = phone(rng)
	c[ColProfession] = ro.profession
	c[ColSpecialty] = pick(rng, ro.specialties)
	c[ColEstablishment] = e.name
	c[ColFINESS] = e.prefix + luhnKey(e.prefix)
	r.Number[ColFINESS] = !strings.ContainsAny(e.prefix, "AB")
	c[ColHabilitations] = pick(rng, ro.habilitations)
	c[ColLoginMode] = pick(rng, ro.logins)
	if ro.rpps {
		c[ColID] = rppsOf(g.o.Seed, i)
		r.Number[ColID] = true
	}
	switch n := rng.IntN(100); {
	case n < 3 && ro.profession == "Médecin":
		c[ColHabilitations] = pick(rng, signatureHabilitations)
	case n >= 90 && (ro.profession == "Infirmière" || ro.profession == "Secrétaire médicale"):
		// A married name, as the form asks for it.
		c[ColUsageName] = pick(rng, lastStems) + pick(rng, lastEnds)
	}
	return r
}

func (g *generator) pickRole(rng *rand.Rand) role {
	n := rng.IntN(g.roleSum)
	for _, r := range roles {
		if n < r.weight {
			return r
		}
		n -= r.weight
	}
	panic("unreachable")
}

func pick(rng *rand.Rand, s []string) string { return s[rng.IntN(len(s))] }

// phone returns a mobile number, written as referents write them.
func phone(rng *rand.Rand) string {
	d := pick(rng, mobilePrefixes) + fmt.Sprintf("%07d", rng.IntN(10_000_000))
	switch n := rng.IntN(20); {
	case n < 13:
		return d
	case n < 19:
		return d[0:2] + " " + d[2:4] + " " + d[4:6] + " " + d[6:8] + " " + d[8:10]
	default:
		return "+33 " + d[1:2] + " " + d[2:4] + " " + d[4:6] + " " + d[6:8] + " " + d[8:10]
	}
}

// rppsOf returns the RPPS number of row i: 199, 7 digits distinct for
// every row, and the Luhn key.
func rppsOf(seed uint64, i int) string {
	n := (uint64(i)*rppsStride + seed%rppsSpace*rppsOffset) % rppsSpace
	payload := fmt.Sprintf("199%07d", n)
	return payload + luhnKey(payload)
}

// luhnKey returns the digit that makes payload+digit pass the Luhn check;
// in a FINESS, Corsica's 2A and 2B count as 21 and 22.
func luhnKey(payload string) string {
	sum := 0
	for i := len(payload) - 1; i >= 0; i-- {
		d := int(payload[i] - '0')
		switch payload[i] {
		case 'A':
			d = 1
		case 'B':
			d = 2
		}
		if (len(payload)-1-i)%2 == 0 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return strconv.Itoa((10 - sum%10) % 10)
}

// emailReplacer folds a name into the local part of an email.
var emailReplacer = strings.NewReplacer(
	"é", "e", "è", "e", "ê", "e", "ë", "e", "ï", "i", "î", "i", "ô", "o", "ö", "o",
	"à", "a", "â", "a", "ç", "c", "ü", "u", "û", "u", "'", "", " ", "-")

func emailPart(s string) string { return emailReplacer.Replace(strings.ToLower(s)) }
