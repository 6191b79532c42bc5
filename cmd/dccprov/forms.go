package main

import (
	"context"
	"errors"
)

func runForms(ctx context.Context, e *env, args []string) error {
	return errors.New("'forms' is not available yet in this build")
}
