package provision

import (
	"context"
	"time"
)

// Store keeps what a run needs from earlier runs and records what it did.
// Package provision/store implements it with an embedded database; this
// package only declares what it uses, so that it never imports it.
type Store interface {
	// Logins maps the person keys ([Person.Key]) of earlier runs to their
	// login, for [AssignUIDs].
	Logins(ctx context.Context) (map[string]string, error)
	// State returns the habilitation requests and form references of
	// earlier runs, for [PlanForms].
	State(ctx context.Context) (*State, error)
	// RecordRun records a run in one transaction and returns the people of
	// the run's establishments that the list no longer names.
	RecordRun(ctx context.Context, r RunRecord) ([]Absence, error)
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
}

// State is what [PlanForms] needs from earlier runs. The zero value is the
// state of a first run.
type State struct {
	Requests map[RequestKey]RequestState
	// Refs holds every form reference ever issued, so a new form never
	// reuses one.
	Refs map[string]bool
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
}

// Absence is a person the store knows in an establishment of the run
// whom the list no longer names. The store keeps them; the operator
// decides (ldap apply --prune).
type Absence struct {
	UID    string `json:"uid"`
	FINESS string `json:"finess"` // [Establishment.Key]
}
