package provision

import (
	"context"
	"fmt"
)

// ReadFile reads the staff list at path. (Placeholder until intake lands.)
func ReadFile(ctx context.Context, path string, cfg *Config) (*Table, error) {
	return nil, fmt.Errorf("reading %s: %w", path, ErrUnsupportedFormat)
}
