package main

import (
	"context"
	"errors"
)

func runTemplate(ctx context.Context, e *env, args []string) error {
	return errors.New("'template' is not available yet in this build")
}
