package ldap

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
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

// ReadBatch reads DIR/accounts.ldif and DIR/habilitations.csv. It never
// re-validates the staff list: those files are the output of `dccprov run`.
func ReadBatch(dir string) (*Batch, error) {
	people, err := readAccounts(filepath.Join(dir, "accounts.ldif"))
	if err != nil {
		return nil, err
	}
	byUID := make(map[string]int, len(people))
	for i, p := range people {
		byUID[p.UID] = i
	}
	if err := readHabilitations(filepath.Join(dir, "habilitations.csv"), people, byUID); err != nil {
		return nil, err
	}
	for i := range people {
		slices.Sort(people[i].Active)
		people[i].Active = slices.Compact(people[i].Active)
	}
	return &Batch{People: people}, nil
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

// readAccounts parses the content records of an RFC 2849 file. The DN's
// base is ignored: the login is the uid attribute.
func readAccounts(name string) ([]Person, error) {
	data, err := readLimited(name)
	if err != nil {
		return nil, err
	}
	records, err := parseLDIF(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrBatch, filepath.Base(name), err)
	}
	managed := make(map[string]string, len(PersonAttrs))
	for _, a := range PersonAttrs {
		managed[strings.ToLower(a)] = a
	}
	var people []Person
	seen := map[string]bool{}
	for _, r := range records {
		p := Person{Attrs: map[string][]string{}}
		for _, av := range r.attrs {
			key := strings.ToLower(av.name)
			if key == "uid" {
				if p.UID != "" {
					return nil, fmt.Errorf("%w: %s: record on line %d has two uid values", ErrBatch, filepath.Base(name), r.line)
				}
				p.UID = av.value
				continue
			}
			if a, ok := managed[key]; ok && av.value != "" {
				p.Attrs[a] = append(p.Attrs[a], av.value)
			}
		}
		if p.UID == "" {
			return nil, fmt.Errorf("%w: %s: record on line %d has no uid", ErrBatch, filepath.Base(name), r.line)
		}
		if seen[p.UID] {
			return nil, fmt.Errorf("%w: %s: record on line %d repeats a uid", ErrBatch, filepath.Base(name), r.line)
		}
		seen[p.UID] = true
		if o := p.Attrs["o"]; len(o) > 1 {
			slices.Sort(o)
			p.Attrs["o"] = slices.Compact(o)
		}
		people = append(people, p)
	}
	slices.SortFunc(people, func(a, b Person) int { return strings.Compare(a.UID, b.UID) })
	return people, nil
}

type attrValue struct{ name, value string }

type ldifRecord struct {
	line  int // where the record starts, for errors (no values in errors)
	dn    string
	attrs []attrValue
}

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
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
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
	if err := sc.Err(); err != nil {
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
// says are active; pending and rejected ones put nobody in a group.
func readHabilitations(name string, people []Person, byUID map[string]int) error {
	data, err := readLimited(name)
	if err != nil {
		return err
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("%w: %s: reading the header: %w", ErrBatch, filepath.Base(name), err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, want := range []string{"uid", "habilitation", "status"} {
		if _, ok := col[want]; !ok {
			return fmt.Errorf("%w: %s has no %q column", ErrBatch, filepath.Base(name), want)
		}
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return fmt.Errorf("%w: %s: %w", ErrBatch, filepath.Base(name), err)
		}
		// Values are taken as written: a uid may, in theory, end with a space.
		get := func(c string) string {
			if i := col[c]; i < len(rec) {
				return rec[i]
			}
			return ""
		}
		if get("status") != "active" {
			continue
		}
		i, ok := byUID[get("uid")]
		if !ok {
			return fmt.Errorf("%w: %s line %d names a uid that accounts.ldif does not have", ErrBatch, filepath.Base(name), line)
		}
		code := get("habilitation")
		if code == "" {
			return fmt.Errorf("%w: %s line %d has no habilitation code", ErrBatch, filepath.Base(name), line)
		}
		people[i].Active = append(people[i].Active, code)
	}
}
