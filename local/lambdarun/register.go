package lambdarun

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const defaultRole = "arn:aws:iam::000000000000:role/lambda-local"

// register creates the function in kumo, or updates its configuration when
// it exists already (a launcher restarted against a persistent kumo).
func register(ctx context.Context, o Options, fn Function) error {
	role := o.RoleARN
	if role == "" {
		role = defaultRole
	}
	code, err := placeholderZip()
	if err != nil {
		return err
	}
	env := &types.Environment{Variables: fn.Env}
	_, err = o.LambdaClient.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(fn.Name),
		Runtime:      types.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Role:         aws.String(role),
		Code:         &types.FunctionCode{ZipFile: code},
		Timeout:      aws.Int32(fn.TimeoutSeconds),
		MemorySize:   aws.Int32(fn.MemoryMB),
		Environment:  env,
	})
	var conflict *types.ResourceConflictException
	if errors.As(err, &conflict) {
		_, err = o.LambdaClient.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
			FunctionName: aws.String(fn.Name),
			Role:         aws.String(role),
			Handler:      aws.String("bootstrap"),
			Timeout:      aws.Int32(fn.TimeoutSeconds),
			MemorySize:   aws.Int32(fn.MemoryMB),
			Environment:  env,
		})
	}
	if err != nil {
		return fmt.Errorf("lambdarun: register function %s: %w", fn.Name, err)
	}
	return nil
}

// placeholderZip is the deployment package given to kumo. kumo never runs
// it (the runner runs the real binary), so a tiny bootstrap keeps kumo's
// memory small instead of holding every binary.
func placeholderZip() ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: "bootstrap", Method: zip.Deflate}
	h.SetMode(0o755)
	f, err := zw.CreateHeader(h)
	if err != nil {
		return nil, fmt.Errorf("lambdarun: build placeholder zip: %w", err)
	}
	if _, err := f.Write([]byte("#!/bin/sh\n# run by local/lambdarun\n")); err != nil {
		return nil, fmt.Errorf("lambdarun: build placeholder zip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("lambdarun: build placeholder zip: %w", err)
	}
	return buf.Bytes(), nil
}
