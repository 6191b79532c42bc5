package provision

import (
	"context"
	"time"
)

// Store keeps what a run needs from earlier runs and records what it did.
// Package provision/store implements it with an embedded database; this
// package only declares what it uses, so that it never imports it.
type Store interface {
	// BeginRun opens the transaction a run works in, for operator at date.
	// It holds the store's write lock until [RunTx.Commit] or
	// [RunTx.Rollback], so two runs on one store take turns and each
	// plans against what the other recorded.
	BeginRun(ctx context.Context, date time.Time, operator string) (RunTx, error)
}

// RunTx is a run's open transaction on the [Store]. Nothing it records is
// visible to others, nor kept, until Commit: [Run] commits only once every
// output is written and published, so a failed run leaves no record.
type RunTx interface {
	// Logins maps the person keys ([Person.Key]) of earlier runs to their
	// login, for [AssignUIDs].
	Logins(ctx context.Context) (map[string]string, error)
	// State returns the habilitation requests, form references and
	// pending forms of earlier runs, for [PlanForms].
	State(ctx context.Context) (*State, error)
	// RecordRun records a run and returns the people of the run's
	// establishments that the list no longer names.
	RecordRun(ctx context.Context, r RunRecord) ([]Absence, error)
	// Commit makes the run's record permanent.
	Commit() error
	// Rollback drops it; after Commit it does nothing.
	Rollback() error
}

// RequestKey identifies one habilitation request across runs: a person
// ([Person.Key]), an establishment ([Establishment.Key], its FINESS) and a
// habilitation code.
type RequestKey struct {
	Person string
	FINESS string
	Code   string
}

// RequestState is what the store remembers of a request.
type RequestState struct {
	Status string // RequestActive, RequestPendingSignature or RequestRejected
	Form   string // REF of the signature form that lists it, or ""
	// Line is the request's number on Form once the form is decided (0
	// before, or for a form recorded without its model); DecidedOn
	// (YYYY-MM-DD) and Reason are the date of the decision and why the
	// request was refused ("" when granted).
	Line      int
	DecidedOn string
	Reason    string
}

// State is what [PlanForms] needs from earlier runs. The zero value is the
// state of a first run.
type State struct {
	Requests map[RequestKey]RequestState
	// Refs holds every form reference ever issued, so a new form never
	// reuses one.
	Refs map[string]bool
	// Pending are the forms still awaiting signature, as first printed,
	// by reference, so a run can print them again ([Run]).
	Pending []Form
}

// FormFileRecorder is what a [RunTx] may also do: record, after
// RecordRun and before Commit, the SHA-256 (hex) of each form PDF the run
// wrote, by form reference, so that a form returned electronically signed
// can be matched to the very file issued. [Run] calls it when the
// transaction has it.
type FormFileRecorder interface {
	RecordFormFiles(ctx context.Context, date time.Time, sums map[string]string) error
}

// RunRecord is what one run leaves in the store.
type RunRecord struct {
	Input    Input
	Rows     Counts
	Date     time.Time
	Operator string
	// People are the people of the run in file order, after [AssignUIDs]
	// and [PlanForms] (UID, request Status and Form set).
	People []Person
	// Forms are the new forms of the run, from [PlanForms].
	Forms []Form
	// Rekeyed maps the new key of a person to the "mail:" key the store
	// knew them by, when their national identifier first appears
	// ([AdoptedKeys]): the store moves their record to the new key.
	Rekeyed map[string]string
	// Readiness is the deployment readiness of each establishment of the
	// run ([Summary] Establishments), and Checklists what the referent
	// said of each, by FINESS ([Summary] Checklists; nil for none): the
	// store keeps both per run, for `dccprov readiness`.
	Readiness  []Readiness
	Checklists map[string]Checklist
	// Absent, when set, is called with the absent people (what RecordRun
	// returns) as soon as they are known, before the run's rows are
	// written: the outputs that name them need not wait for the rest.
	Absent func([]Absence)
}

// Absence is a person the store knows in an establishment of the run
// whom the list no longer names. The store keeps them; the operator
// decides (ldap apply --prune).
type Absence struct {
	UID string `json:"uid"`
	// FINESS and Establishment are those of the establishment they are
	// absent from; FINESS is "" for one given by name only.
	FINESS        string `json:"finess"`
	Establishment string `json:"establishment"`
	// Name is how the list last named them there ("" when recorded by a
	// dccprov that kept no names) and LastSeen the date (YYYY-MM-DD) of
	// the last run that listed them there: the corrections workbook's
	// sheet « Départs » shows both, for the referent to confirm.
	Name     string `json:"name,omitempty"`
	LastSeen string `json:"last_seen,omitempty"`
}

// rekey moves the requests of the people whose key changed (new key →
// former key, from [AdoptedKeys]) to their new key.
func (s *State) rekey(adopted map[string]string) {
	if len(adopted) == 0 || s.Requests == nil {
		return
	}
	former := map[string]string{}
	for nk, ok := range adopted {
		former[ok] = nk
	}
	var moved []RequestKey
	for k := range s.Requests {
		if _, ok := former[k.Person]; ok {
			moved = append(moved, k)
		}
	}
	for _, k := range moved {
		v := s.Requests[k]
		delete(s.Requests, k)
		k.Person = former[k.Person]
		s.Requests[k] = v
	}
}
