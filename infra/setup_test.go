package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
)

// One synthesis for every test: building the app is the slow part (jsii
// starts Node and loads the construct library once per process).
var (
	cfg                    Config
	stacks                 *Stacks
	platformTmpl, roleTmpl assertions.Template
	platformJSON, roleJSON map[string]any
)

func TestMain(m *testing.M) {
	os.Exit(setup(m))
}

func setup(m *testing.M) int {
	defer jsii.Close()
	tmp, err := os.MkdirTemp("", "infra-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	root, err := filepath.Abs("..")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// Stand-in binaries: the templates do not depend on the code, and the
	// tests need not wait for an arm64 build.
	cfg = Config{Root: root, CodeDir: filepath.Join(tmp, "code"), Outdir: filepath.Join(tmp, "cdk.out"), Prefix: "clusterforge"}
	names, err := functionNames(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for _, n := range names {
		dir := filepath.Join(cfg.CodeDir, n)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("#!/bin/sh\n# "+n+"\n"), 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	if stacks, err = NewApp(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "build app:", err)
		return 1
	}
	platformTmpl = assertions.Template_FromStack(stacks.Platform, nil)
	roleTmpl = assertions.Template_FromStack(stacks.CustomerRole, nil)
	platformJSON = *platformTmpl.ToJSON()
	roleJSON = *roleTmpl.ToJSON()
	return m.Run()
}

// check runs a CDK assertion, which panics (a jsii exception) on failure,
// and turns the panic into a test error so the other checks still run.
func check(t *testing.T, what string, assertion func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: %v", what, r)
		}
	}()
	assertion()
}

// resources returns the template's resources of one type by logical id.
func resources(tmpl map[string]any, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range tmpl["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] == typ {
			out[id] = res
		}
	}
	return out
}

func props(res map[string]any) map[string]any {
	p, _ := res["Properties"].(map[string]any)
	return p
}
