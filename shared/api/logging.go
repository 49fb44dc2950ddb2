package api

import (
	"io"
	"log/slog"
	"strings"
)

// NewLogger returns the JSON logger every function uses; level is LOG_LEVEL
// (debug, info, warn, error; default info). Handlers add the Lambda and API
// request ids per invocation.
func NewLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(strings.TrimSpace(level)))); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}
