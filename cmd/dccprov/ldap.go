package main

import (
	"context"
	"errors"
)

func runLDAP(ctx context.Context, e *env, args []string) error {
	return errors.New("'ldap' is not available yet in this build")
}
