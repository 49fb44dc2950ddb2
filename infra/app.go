package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// Stack names: cdk.out/<name>.template.json, `cdk deploy <name>`.
const (
	PlatformStackName     = "ClusterForgePlatform"
	CustomerRoleStackName = "ClusterForgeCustomerRole"
)

// Config says where the app finds what it deploys and where it writes.
type Config struct {
	Root    string // repository root: functions/, statemachines/
	CodeDir string // one <function>/bootstrap per function (bin/functions-arm64)
	Outdir  string // cloud assembly; the cdk CLI passes CDK_OUTDIR
	Prefix  string // physical-name prefix of the platform's named resources
	// The web console (infra/web.go): its build, uploaded when WebDir holds
	// an index.html, and an optional domain with its ACM certificate
	// (us-east-1) instead of the *.cloudfront.net name.
	WebDir, WebDomain, WebCertificateARN string
}

// ConfigFromEnv finds the repository from the working directory, so both
// `go run .` in infra/ and the cdk CLI (cdk.json at the root) work.
func ConfigFromEnv() (Config, error) {
	root := os.Getenv("CLUSTERFORGE_ROOT")
	if root == "" {
		var err error
		if root, err = findRoot(); err != nil {
			return Config{}, err
		}
	}
	cfg := Config{
		Root:    root,
		CodeDir: envOr("CLUSTERFORGE_CODE_DIR", filepath.Join(root, "bin", "functions-arm64")),
		Outdir:  envOr("CDK_OUTDIR", filepath.Join(root, "cdk.out")),
		Prefix:  envOr("CLUSTERFORGE_PREFIX", "clusterforge"),
		WebDir:  envOr("CLUSTERFORGE_WEB_DIR", filepath.Join(root, "web", "dist")),
		// Both or neither: a domain needs its certificate.
		WebDomain:         os.Getenv("CLUSTERFORGE_WEB_DOMAIN"),
		WebCertificateARN: os.Getenv("CLUSTERFORGE_WEB_CERTIFICATE_ARN"),
	}
	if (cfg.WebDomain == "") != (cfg.WebCertificateARN == "") {
		return Config{}, errors.New("set CLUSTERFORGE_WEB_DOMAIN and CLUSTERFORGE_WEB_CERTIFICATE_ARN together")
	}
	return cfg, nil
}

func findRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if isDir(filepath.Join(dir, "functions")) && isDir(filepath.Join(dir, "statemachines")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("repository root (functions/ and statemachines/) not found: set CLUSTERFORGE_ROOT")
		}
		dir = parent
	}
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// Stacks is the synthesized app, for the tests.
type Stacks struct {
	App          awscdk.App
	Platform     awscdk.Stack
	CustomerRole awscdk.Stack
}

// NewApp builds both stacks and applies the cdk-nag AwsSolutions pack.
func NewApp(cfg Config) (*Stacks, error) {
	if err := checkCode(cfg); err != nil {
		return nil, err
	}
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir: jsii.String(cfg.Outdir),
		Context: &map[string]any{
			// The cdk CLI sets these; a plain `go run` does not. SAM needs
			// the asset paths to find each function's code in cdk.out and
			// the construct paths to accept `sam local invoke <construct id>`.
			"aws:cdk:enable-asset-metadata": true,
			"aws:cdk:enable-path-metadata":  true,
		},
	})
	platform, err := NewPlatformStack(app, PlatformStackName, cfg)
	if err != nil {
		return nil, err
	}
	role := NewCustomerRoleStack(app, CustomerRoleStackName)
	applyNag(app)
	return &Stacks{App: app, Platform: platform, CustomerRole: role}, nil
}

// checkCode fails early, with the command that fixes it, when the arm64
// binaries are missing (the asset step would fail less clearly).
func checkCode(cfg Config) error {
	names, err := functionNames(cfg.Root)
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, err := os.Stat(filepath.Join(cfg.CodeDir, n, "bootstrap")); err != nil {
			return fmt.Errorf("%s/%s/bootstrap missing (run `make build-arm64`): %w", cfg.CodeDir, n, err)
		}
	}
	return nil
}
