package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"gopkg.in/yaml.v3"
)

// openAPIYAML is the API contract. Tests validate every request and
// response of the handler against it (see apitest).
//
//go:embed openapi.yaml
var openAPIYAML []byte

// OpenAPIYAML returns the OpenAPI 3.0 document as written.
func OpenAPIYAML() []byte { return append([]byte(nil), openAPIYAML...) }

// openAPIJSON converts the document once per Lambda container.
var openAPIJSON = sync.OnceValues(func() ([]byte, error) {
	var doc any
	if err := yaml.Unmarshal(openAPIYAML, &doc); err != nil {
		return nil, fmt.Errorf("parse openapi.yaml: %w", err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("convert openapi.yaml to JSON: %w", err)
	}
	return b, nil
})

func (h *Handler) getOpenAPI(context.Context, *request) (response, error) {
	b, err := openAPIJSON()
	if err != nil {
		return response{}, err
	}
	return response{status: http.StatusOK, raw: b}, nil
}
