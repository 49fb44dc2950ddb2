package lambdarun

import (
	"context"
	"fmt"
	"os"
	"os/exec"
)

// BuildBinary builds the Go Lambda package in pkgDir into out, as the
// provided.al2023 bootstrap is built for AWS (static, no RPC mode) but for
// the host's OS and architecture.
func BuildBinary(ctx context.Context, pkgDir, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-o", out, ".")
	cmd.Dir = pkgDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("lambdarun: go build %s: %w\n%s", pkgDir, err, b)
	}
	return nil
}
