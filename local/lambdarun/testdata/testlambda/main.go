// Command testlambda is a Go Lambda for the local cloud's tests.
//
// Every invocation appends its event as one line to $COUNT_FILE (if set);
// the line count is the invocation number. $FAIL_SEQUENCE (comma-separated
// error types) makes invocation n fail with the n-th type; later ones
// succeed. An event {"sleepSeconds": s} sleeps before answering.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"
)

func handle(ctx context.Context, event json.RawMessage) (map[string]any, error) {
	n, err := count(event)
	if err != nil {
		return nil, err
	}
	var in struct {
		SleepSeconds float64 `json:"sleepSeconds"`
	}
	_ = json.Unmarshal(event, &in)
	if in.SleepSeconds > 0 {
		select {
		case <-time.After(time.Duration(in.SleepSeconds * float64(time.Second))):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if seq := os.Getenv("FAIL_SEQUENCE"); seq != "" {
		types := strings.Split(seq, ",")
		if n <= len(types) {
			return nil, messages.InvokeResponse_Error{Type: types[n-1], Message: fmt.Sprintf("invocation %d fails", n)}
		}
	}
	return map[string]any{"invocation": n, "input": event}, nil
}

// count appends the event to $COUNT_FILE and returns the invocation number.
func count(event json.RawMessage) (int, error) {
	path := os.Getenv("COUNT_FILE")
	if path == "" {
		return 0, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, fmt.Errorf("open count file: %w", err)
	}
	line, _ := json.Marshal(event) // compact: one line per invocation
	_, err = f.Write(append(line, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("write count file: %w", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("read count file: %w", err)
	}
	return strings.Count(string(b), "\n"), nil
}

func main() { lambda.Start(handle) }
