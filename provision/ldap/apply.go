package ldap

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dccprov/dccprov/provision"
	goldap "github.com/go-ldap/ldap/v3"
)

// Auditor records each operation Apply performs in the audit trail. object
// is a DN; detail names the operation and attribute names, never values.
// Apply never calls it concurrently.
type Auditor interface {
	Audit(ctx context.Context, action, object, detail string) error
}

// Failure is one operation the directory refused or could not perform.
type Failure struct {
	Op   Op     `json:"op"`
	DN   string `json:"dn"`
	Code int    `json:"code"` // the LDAP result code; 200 for a lost connection
	// Error describes the failure by result code, never by value.
	Error string `json:"error"`
}

// ApplyOptions say where the undo file goes and who records operations.
type ApplyOptions struct {
	// Dir receives ldap-undo-TIMESTAMP.ldif.
	Dir string
	// Date gives TIMESTAMP and the date in the undo file's comment.
	Date time.Time
	// Auditor, when not nil, records every operation.
	Auditor Auditor
	// Progress, when not nil, is told each operation done (tried).
	Progress provision.Progress
}

// ErrIncomplete is returned by Apply when some operations failed: what was
// done is in the summary, and running apply again finishes the job.
var ErrIncomplete = errors.New("some directory operations failed")

// Apply writes the undo LDIF, then executes cs on a few concurrent
// connections, with a bounded number of requests in flight on each:
// containers first, then people, then groups. It reports each
// failure and goes on with the rest; the summary lists what was done.
func Apply(ctx context.Context, c *Client, cs *Changeset, opt ApplyOptions) (*Summary, error) {
	sum := &Summary{Unchanged: cs.Unchanged, Changes: []Change{}}
	if len(cs.Changes) == 0 {
		return sum, nil
	}
	undo, err := writeUndo(opt.Dir, opt.Date, cs)
	if err != nil {
		return sum, err
	}
	sum.Undo = undo

	a := &applier{c: c, opt: opt, sum: sum, conns: make([]*goldap.Conn, c.s.Concurrency), order: map[string]int{},
		reconciled: map[string]Change{}}
	for i, ch := range cs.Changes {
		a.order[ch.DN] = i
	}
	a.conns[0] = c.conn
	defer a.close()
	if opt.Progress != nil {
		opt.Progress.Step("applying LDAP operations", len(cs.Changes))
	}
	halt := ""
	for _, k := range []kind{kindContainer, kindPerson, kindGroup} {
		var phase []int
		for i := range cs.Changes {
			if cs.Changes[i].kind == k {
				phase = append(phase, i)
			}
		}
		if halt != "" {
			a.notTried += len(phase)
			continue
		}
		a.run(ctx, cs.Changes, phase)
		if k == kindContainer && len(sum.Failures) > 0 {
			// Every person or group under a missing container would fail:
			// do not send thousands of doomed operations.
			halt = "ou=people or ou=groups could not be created"
		}
	}
	// Report in plan order, not in the order the workers finished.
	slices.SortStableFunc(sum.Changes, func(x, y Change) int { return cmp.Compare(a.order[x.DN], a.order[y.DN]) })
	slices.SortStableFunc(sum.Failures, func(x, y Failure) int { return cmp.Compare(a.order[x.DN], a.order[y.DN]) })
	var errs []string
	if len(a.reconciled) > 0 {
		// The undo file says "delete" for these planned adds, but the
		// entries existed before: restore their previous values instead.
		if err := rewriteUndo(undo, opt.Date, a.undoChanges(cs)); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if a.notTried > 0 {
		sum.Failed += a.notTried
		why := "connection to the directory lost"
		switch {
		case halt != "":
			why = halt
		case ctx.Err() != nil:
			why = "interrupted"
		}
		errs = append(errs, fmt.Sprintf("%s: %d operations not attempted", why, a.notTried))
	}
	if len(sum.Failures) > 0 {
		errs = append(errs, fmt.Sprintf("%d operations refused or interrupted", len(sum.Failures)))
	}
	if a.auditErr != nil {
		errs = append(errs, fmt.Sprintf("recording the audit trail: %v", a.auditErr))
	}
	if len(errs) > 0 {
		// One sentence: errors.Join would put each part on its own line.
		return sum, fmt.Errorf("%w: %s", ErrIncomplete, strings.Join(errs, "; "))
	}
	return sum, nil
}

// undoChanges is cs with each reconciled add replaced by what was done
// instead: the modify (whose before holds the values read), or nothing.
func (a *applier) undoChanges(cs *Changeset) *Changeset {
	out := &Changeset{BaseDN: cs.BaseDN, Unchanged: cs.Unchanged}
	for _, c := range cs.Changes {
		if r, ok := a.reconciled[c.DN]; ok {
			if r.Op == "" {
				continue
			}
			c = r
		}
		out.Changes = append(out.Changes, c)
	}
	return out
}

// inFlight is how many requests Apply keeps outstanding on each
// connection. A go-ldap Conn multiplexes requests by message ID, so a few
// workers share one connection: the directory always has the next request
// queued instead of waiting for the client's round trip, which is where a
// synchronous client spends most of its time.
const inFlight = 8

type applier struct {
	c     *Client
	opt   ApplyOptions
	conns []*goldap.Conn // shared by inFlight workers each
	order map[string]int // DN → position in the plan

	connMu sync.Mutex // guards conns while one is (re)opened

	mu       sync.Mutex // guards what follows and serialises the auditor
	sum      *Summary
	lost     bool
	notTried int
	auditErr error
	// reconciled holds, by DN, what was done for a planned add whose entry
	// already existed (Op "" when nothing was needed).
	reconciled map[string]Change
}

func (a *applier) close() {
	for _, conn := range a.conns[1:] {
		if conn != nil {
			conn.Close()
		}
	}
}

// run executes the changes at idx with inFlight workers per connection.
func (a *applier) run(ctx context.Context, changes []Change, idx []int) {
	if len(idx) == 0 {
		return
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for w := range min(len(a.conns)*inFlight, len(idx)) {
		wg.Go(func() {
			for i := range work {
				a.do(ctx, w%len(a.conns), &changes[i])
			}
		})
	}
	for _, i := range idx {
		a.mu.Lock()
		stop := a.lost || ctx.Err() != nil
		if stop {
			a.notTried++
		}
		a.mu.Unlock()
		if !stop {
			work <- i
		}
	}
	close(work)
	wg.Wait()
}

// conn returns connection w, opening it (again) when needed.
func (a *applier) conn(ctx context.Context, w int) (*goldap.Conn, error) {
	a.connMu.Lock()
	defer a.connMu.Unlock()
	if conn := a.conns[w]; conn != nil && !conn.IsClosing() {
		return conn, nil
	}
	conn, err := a.c.open(ctx)
	if err != nil {
		return nil, err
	}
	if w == 0 {
		a.c.conn = conn
	}
	a.conns[w] = conn
	return conn, nil
}

func (a *applier) do(ctx context.Context, w int, c *Change) {
	if a.opt.Progress != nil {
		defer a.opt.Progress.Add(1)
	}
	conn, err := a.conn(ctx, w)
	if err != nil {
		a.mu.Lock()
		a.lost = true
		a.notTried++
		a.mu.Unlock()
		return
	}
	done := *c
	err = a.send(conn, c)
	reconciled := false
	if goldap.IsErrorWithCode(err, goldap.LDAPResultEntryAlreadyExists) {
		// Created since the plan was made: bring it in line instead.
		done, err = a.reconcile(conn, c)
		reconciled = true
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if reconciled {
		// Whatever happened next, the entry existed before: the undo file
		// must not delete it (Op "" drops it from the file).
		a.reconciled[c.DN] = done
	}
	if err != nil {
		f := Failure{Op: c.Op, DN: c.DN, Code: 200, Error: resultText(err)}
		var le *goldap.Error
		if errors.As(err, &le) {
			f.Code = int(le.ResultCode)
		}
		a.sum.Failed++
		a.sum.Failures = append(a.sum.Failures, f)
		a.audit(ctx, c, "failed: "+f.Error)
		if f.Code == goldap.ErrorNetwork {
			// The connection is gone; the next operation on it reconnects,
			// and a failed reconnection stops the run.
			conn.Close()
		}
		return
	}
	if done.Op != "" {
		a.sum.count(done, false)
		a.audit(ctx, &done, "done")
	}
}

func (a *applier) audit(ctx context.Context, c *Change, outcome string) {
	if a.opt.Auditor == nil || a.auditErr != nil {
		return
	}
	detail := string(c.Op) + " " + strings.Join(c.Attributes, ",") + ": " + outcome
	a.auditErr = a.opt.Auditor.Audit(ctx, "ldap."+string(c.Op), c.DN, detail)
}

// send performs one change.
func (a *applier) send(conn *goldap.Conn, c *Change) error {
	a.c.counts.Writes.Add(1)
	if c.Op == OpAdd {
		req := goldap.NewAddRequest(c.DN, nil)
		for _, at := range c.add {
			req.Attribute(at.Name, at.Values)
		}
		return conn.Add(req)
	}
	req := goldap.NewModifyRequest(c.DN, nil)
	for _, m := range c.mods {
		switch m.Type {
		case ModAdd:
			req.Add(m.Attr.Name, m.Attr.Values)
		case ModDelete:
			req.Delete(m.Attr.Name, m.Attr.Values)
		case ModReplace:
			req.Replace(m.Attr.Name, m.Attr.Values)
		}
	}
	return conn.Modify(req)
}

// reconcile turns an add whose entry already exists into the modify that
// gives the entry the planned values. It returns the change done (Op ""
// when nothing was needed).
func (a *applier) reconcile(conn *goldap.Conn, c *Change) (Change, error) {
	a.c.counts.Searches.Add(1)
	res, err := conn.Search(goldap.NewSearchRequest(c.DN, goldap.ScopeBaseObject, goldap.NeverDerefAliases,
		1, 0, false, "(objectClass=*)", append([]string{"uid", "cn", "member", "description"}, PersonAttrs...), nil))
	if err != nil {
		return Change{}, err
	}
	if len(res.Entries) != 1 {
		return Change{}, goldap.NewError(goldap.LDAPResultNoSuchObject, errors.New("entry vanished"))
	}
	e := Entry{DN: res.Entries[0].DN, Attrs: map[string][]string{}}
	for _, at := range res.Entries[0].Attributes {
		k := strings.ToLower(at.Name)
		e.Attrs[k] = append(e.Attrs[k], at.Values...)
	}
	var m Change
	switch c.kind {
	case kindContainer:
		return Change{}, nil
	case kindPerson:
		p := &Person{Attrs: map[string][]string{}}
		for _, at := range c.add {
			p.Attrs[at.Name] = at.Values
		}
		var ok bool
		if m, ok = personModify(&e, p); !ok {
			return Change{}, nil
		}
	case kindGroup:
		var want []string
		for _, at := range c.add {
			if at.Name == "member" {
				want = at.Values
			}
		}
		cur := e.get("member")
		adds, _ := memberDelta(cur, want)
		if len(adds) == 0 {
			return Change{}, nil
		}
		m = Change{Op: OpModify, DN: c.DN, Attributes: []string{"member"}, kind: kindGroup,
			mods: []Mod{{ModAdd, Attr{"member", adds}}}, before: []Attr{{"member", cur}}}
	}
	return m, a.send(conn, &m)
}
