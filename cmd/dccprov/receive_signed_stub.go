package main

import (
	"context"

	"github.com/dccprov/dccprov/provision/store"
)

// signedResult is what [env.receiveSigned] makes of an electronically
// signed PDF: whether it was handled, the form codes it carries (as a
// scan's pages would), its page count, and why it is refused if it is.
type signedResult struct {
	handled bool
	pages   int
	codes   []pageCode
	problem string // one sentence; "" when accepted
}

// receiveSigned handles a PDF carrying a signature dictionary. This stub
// handles none; provision/pades and receive_signed.go replace it.
func (e *env) receiveSigned(ctx context.Context, st *store.Store, name string, data []byte) signedResult {
	return signedResult{problem: "an electronically signed PDF; verifying its signature is not supported yet, so it is not accepted"}
}
