package main

import (
	"context"
	"errors"
)

func runRun(ctx context.Context, e *env, args []string) error {
	return errors.New("'run' is not available yet in this build")
}
