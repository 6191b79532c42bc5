package ldap

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Batch is what a `dccprov run` folder asks of the directory: its people and,
// per person, the habilitations they hold active.
type Batch struct {
	// People are sorted by UID, one per login.
	People []Person
	// Codes are the habilitation codes habilitations.csv names, whatever
	// their status, sorted: their groups are managed even when nobody
	// holds them active any more.
	Codes []string
	// BaseDN is the base of the first DN of accounts.ldif (the one `run`
	// wrote), "" when there is none: the base to use when no setting gives
	// one.
	BaseDN string
	// Named are the uids report.json gives its people, whatever their
	// status, sorted: a rejected row still names its person, so --prune
	// leaves them alone although accounts.ldif, accepted rows only, omits
	// them. Empty when DIR has no report.json.
	Named []string
}

// Person is one account of accounts.ldif.
type Person struct {
	UID string
	// Attrs holds the managed attributes ([PersonAttrs]) with their values
	// as written in accounts.ldif; absent attributes have no key.
	Attrs map[string][]string
	// Active lists the codes of the habilitations held active, sorted.
	Active []string
}

// PersonAttrs are the attributes dccprov manages on a person, in the order
// of accounts.ldif. Other attributes of an entry are left alone.
var PersonAttrs = []string{"cn", "sn", "givenName", "mail", "mobile", "employeeNumber", "employeeType", "o"}

// maxDirFile bounds each file read from DIR; a batch of 500,000 people fits.
const maxDirFile = 1 << 30

// ErrBatch is wrapped by the errors about a DIR whose files cannot be used.
var ErrBatch = errors.New("unusable batch folder")

// ReadBatch reads DIR/accounts.ldif, DIR/habilitations.csv and, when
// present, the people's uids in DIR/report.json ([Batch.Named]). It never
// re-validates the staff list: those files are the output of `dccprov run`.
func ReadBatch(dir string) (*Batch, error) {
	people, base, err := readAccounts(filepath.Join(dir, "accounts.ldif"))
	if err != nil {
		return nil, err
	}
	byUID := make(map[string]int, len(people))
	for i, p := range people {
		byUID[p.UID] = i
	}
	codes, err := readHabilitations(filepath.Join(dir, "habilitations.csv"), people, byUID)
	if err != nil {
		return nil, err
	}
	for i := range people {
		slices.Sort(people[i].Active)
		people[i].Active = slices.Compact(people[i].Active)
	}
	slices.Sort(codes)
	named, err := readNamed(filepath.Join(dir, "report.json"))
	if err != nil {
		return nil, err
	}
	return &Batch{People: people, Codes: slices.Compact(codes), BaseDN: base, Named: named}, nil
}

// readNamed returns the uids of report.json's people, sorted, or nothing
// when the file does not exist.
func readNamed(name string) ([]string, error) {
	if _, err := os.Stat(name); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	data, err := readLimited(name)
	if err != nil {
		return nil, err
	}
	var report struct {
		People []struct {
			UID string `json:"uid"`
		} `json:"people"`
	}
	if err := json.Unmarshal(data, &report); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBatch, filepath.Base(name), err)
	}
	var named []string
	for _, p := range report.People {
		if p.UID != "" {
			named = append(named, p.UID)
		}
	}
	slices.Sort(named)
	return slices.Compact(named), nil
}

func readLimited(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBatch, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxDirFile+1))
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %w", ErrBatch, name, err)
	}
	if len(data) > maxDirFile {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrBatch, name, maxDirFile)
	}
	return data, nil
}

// readAccounts parses the content records of an RFC 2849 file, and
// returns the base of the first DN. Otherwise the DN's base is ignored:
// the login is the uid attribute.
func readAccounts(name string) ([]Person, string, error) {
	data, err := readLimited(name)
	if err != nil {
		return nil, "", err
	}
	records, err := parseLDIF(data)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s: %w", ErrBatch, filepath.Base(name), err)
	}
	base := ""
	if len(records) > 0 {
		base = personBase(records[0].dn)
	}
	managed := make(map[string]string, len(PersonAttrs))
	for _, a := range PersonAttrs {
		managed[strings.ToLower(a)] = a
	}
	var people []Person
	// uid matches case-insensitively in the directory: two logins that
	// differ only in case would be one entry.
	seen := map[string]bool{}
	for _, r := range records {
		p := Person{Attrs: map[string][]string{}}
		for _, av := range r.attrs {
			key := strings.ToLower(av.name)
			if key == "uid" {
				if p.UID != "" {
					return nil, "", fmt.Errorf("%w: %s: record on line %d has two uid values", ErrBatch, filepath.Base(name), r.line)
				}
				p.UID = av.value
				continue
			}
			if a, ok := managed[key]; ok && av.value != "" {
				p.Attrs[a] = append(p.Attrs[a], av.value)
			}
		}
		if p.UID == "" {
			return nil, "", fmt.Errorf("%w: %s: record on line %d has no uid", ErrBatch, filepath.Base(name), r.line)
		}
		key := strings.ToLower(p.UID)
		if seen[key] {
			return nil, "", fmt.Errorf("%w: %s: record on line %d repeats a uid (uids are compared regardless of case)", ErrBatch, filepath.Base(name), r.line)
		}
		seen[key] = true
		if o := p.Attrs["o"]; len(o) > 1 {
			slices.Sort(o)
			p.Attrs["o"] = slices.Compact(o)
		}
		people = append(people, p)
	}
	slices.SortFunc(people, func(a, b Person) int { return strings.Compare(a.UID, b.UID) })
	return people, base, nil
}

type attrValue struct{ name, value string }

type ldifRecord struct {
	line  int // where the record starts, for errors (no values in errors)
	dn    string
	attrs []attrValue
}

// maxLDIFLine bounds one physical line of accounts.ldif.
const maxLDIFLine = 16 << 20

// parseLDIF reads content records: comments, the version line, folded
// lines and base64 values; URL values and change records are refused.
func parseLDIF(data []byte) ([]ldifRecord, error) {
	type line struct {
		n    int
		text string // unfolded; "" separates records
	}
	var (
		logical []line
		comment bool // the previous physical line was (part of) a comment
	)
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), maxLDIFLine)
	n := 1
	for ; sc.Scan(); n++ {
		l := strings.TrimSuffix(sc.Text(), "\r")
		switch {
		case l == "":
			comment = false
			logical = append(logical, line{n, ""})
		case l[0] == ' ':
			if comment {
				continue
			}
			if len(logical) == 0 || logical[len(logical)-1].text == "" {
				return nil, fmt.Errorf("line %d: continuation line without a line to continue", n)
			}
			logical[len(logical)-1].text += l[1:]
		case l[0] == '#':
			comment = true
		default:
			comment = false
			logical = append(logical, line{n, l})
		}
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return nil, fmt.Errorf("line %d is longer than %d MiB, the limit for one line", n, maxLDIFLine>>20)
	} else if err != nil {
		return nil, err
	}
	var (
		records []ldifRecord
		r       *ldifRecord
		first   = true
	)
	for _, l := range logical {
		if l.text == "" {
			if r != nil {
				records = append(records, *r)
				r = nil
			}
			continue
		}
		name, value, err := parseLDIFLine(l.text)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", l.n, err)
		}
		lname := strings.ToLower(name)
		wasFirst := first
		first = false
		switch {
		case lname == "version" && wasFirst && r == nil:
			if value != "1" {
				return nil, fmt.Errorf("line %d: unsupported LDIF version", l.n)
			}
		case lname == "dn" && r == nil:
			r = &ldifRecord{line: l.n, dn: value}
		case lname == "dn":
			return nil, fmt.Errorf("line %d: dn inside a record", l.n)
		case r == nil:
			return nil, fmt.Errorf("line %d: record does not start with dn", l.n)
		case lname == "changetype":
			return nil, fmt.Errorf("line %d: change records are not accepted, only content records", l.n)
		default:
			r.attrs = append(r.attrs, attrValue{name, value})
		}
	}
	if r != nil {
		records = append(records, *r)
	}
	return records, nil
}

// parseLDIFLine splits "name: value" or "name:: base64".
func parseLDIFLine(l string) (name, value string, err error) {
	name, rest, ok := strings.Cut(l, ":")
	if !ok || name == "" {
		return "", "", errors.New("not an attribute line")
	}
	switch {
	case strings.HasPrefix(rest, ":"):
		b, err := base64.StdEncoding.DecodeString(strings.TrimLeft(rest[1:], " "))
		if err != nil {
			return "", "", errors.New("bad base64 value")
		}
		return name, string(b), nil
	case strings.HasPrefix(rest, "<"):
		return "", "", errors.New("URL values are not accepted")
	default:
		return name, strings.TrimLeft(rest, " "), nil
	}
}

// readHabilitations adds to each person the habilitations habilitations.csv
// says are active; pending and rejected ones put nobody in a group. It
// returns every code the file names, whatever its status.
func readHabilitations(name string, people []Person, byUID map[string]int) ([]string, error) {
	data, err := readLimited(name)
	if err != nil {
		return nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: reading the header: %w", ErrBatch, filepath.Base(name), err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, want := range []string{"uid", "habilitation", "status"} {
		if _, ok := col[want]; !ok {
			return nil, fmt.Errorf("%w: %s has no %q column", ErrBatch, filepath.Base(name), want)
		}
	}
	var codes []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return codes, nil
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrBatch, filepath.Base(name), err)
		}
		// Values are taken as written: a uid may, in theory, end with a space.
		get := func(c string) string {
			if i := col[c]; i < len(rec) {
				return rec[i]
			}
			return ""
		}
		code := get("habilitation")
		if code != "" {
			codes = append(codes, code)
		}
		if get("status") != "active" {
			continue
		}
		i, ok := byUID[get("uid")]
		if !ok {
			return nil, fmt.Errorf("%w: %s line %d names a uid that accounts.ldif does not have", ErrBatch, filepath.Base(name), line)
		}
		if code == "" {
			return nil, fmt.Errorf("%w: %s line %d has no habilitation code", ErrBatch, filepath.Base(name), line)
		}
		people[i].Active = append(people[i].Active, code)
	}
}
