package domain

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DecodeStrict decodes one JSON value from data into v, a non-nil pointer,
// and refuses anything the target type does not describe: unknown or
// duplicate fields, wrong types, out-of-range numbers, syntax errors and
// trailing data. Every refusal is a *ValidationError whose field is the path
// of the offending value (`nodePools[1].taints[0].effect`), which
// encoding/json alone cannot give: its unknown-field error has no path and
// its type error has no array indexes. So the input is first walked token by
// token alongside the target type, then decoded for real.
func DecodeStrict(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("domain.DecodeStrict: target must be a non-nil pointer, got %T", v)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return Invalid("", "request body is required")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	w := walker{dec: dec}
	if err := w.value(rv.Type().Elem(), ""); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Invalid("", "invalid JSON: unexpected data after the top-level value")
	}
	// The walk proved the shape; this decode only fills v. Its errors would
	// mean the walker missed a case, so they still surface as 400s, not 500s.
	final := json.NewDecoder(bytes.NewReader(data))
	final.DisallowUnknownFields()
	if err := final.Decode(v); err != nil {
		return Invalid("", "invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

type walker struct{ dec *json.Decoder }

var (
	timeType            = reflect.TypeFor[time.Time]()
	jsonUnmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// value reads the next JSON value and checks it against t.
func (w *walker) value(t reflect.Type, path Path) error {
	tok, err := w.dec.Token()
	if err != nil {
		return syntaxError(path, err)
	}
	if tok == nil { // null leaves the Go value at its zero value: "absent"
		return nil
	}
	return w.check(tok, t, path)
}

// element reads a map value or array element. Unlike a field's, a null
// there is not "absent": it would store a zero value the client never sent
// (an empty pack override, a "" label), so only a type that holds null
// takes it.
func (w *walker) element(t reflect.Type, path Path) error {
	tok, err := w.dec.Token()
	if err != nil {
		return syntaxError(path, err)
	}
	if tok == nil {
		if t.Kind() == reflect.Pointer || t.Kind() == reflect.Interface {
			return nil
		}
		return Invalid(path, "must not be null")
	}
	return w.check(tok, t, path)
}

// check checks a value's first token (not null) against t.
func (w *walker) check(tok json.Token, t reflect.Type, path Path) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return w.expect(tok, path, isString, "a string (RFC 3339 time)")
	case reflect.PointerTo(t).Implements(jsonUnmarshalerType):
		return w.skip(tok, path) // custom decoding: trust the type
	case reflect.PointerTo(t).Implements(textUnmarshalerType):
		return w.expect(tok, path, isString, "a string")
	}
	switch t.Kind() {
	case reflect.Struct:
		return w.object(tok, t, path)
	case reflect.Map:
		return w.mapValue(tok, t, path)
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return w.expect(tok, path, isString, "a base64 string")
		}
		return w.array(tok, t, path)
	case reflect.Array:
		return w.array(tok, t, path)
	case reflect.String:
		return w.expect(tok, path, isString, "a string")
	case reflect.Bool:
		return w.expect(tok, path, func(tok json.Token) bool { _, ok := tok.(bool); return ok }, "a boolean")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return number(tok, path, "an integer", func(s string) error { _, err := strconv.ParseInt(s, 10, t.Bits()); return err })
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return number(tok, path, "a non-negative integer", func(s string) error { _, err := strconv.ParseUint(s, 10, t.Bits()); return err })
	case reflect.Float32, reflect.Float64:
		return number(tok, path, "a number", func(s string) error { _, err := strconv.ParseFloat(s, t.Bits()); return err })
	default: // interface{} and anything exotic accept any JSON value
		return w.skip(tok, path)
	}
}

func (w *walker) object(tok json.Token, t reflect.Type, path Path) error {
	if tok != json.Delim('{') {
		return w.wrongType(tok, path, "an object")
	}
	fields := fieldsOf(t)
	seen := make(map[string]bool, len(fields))
	for w.dec.More() {
		key, err := w.key(path)
		if err != nil {
			return err
		}
		ft, ok := fields[key]
		if !ok {
			return unknownField(path, key)
		}
		if seen[key] {
			return Invalid(path.Key(key), "duplicate field")
		}
		seen[key] = true
		if err := w.value(ft, path.Key(key)); err != nil {
			return err
		}
	}
	return w.closing(path)
}

// unknownField names an unknown key in the error only when it is as short
// as a field name: a body garbled so that a value (a 40-character access
// key secret, say) lands in key position must not be echoed in error.field.
func unknownField(path Path, key string) error {
	if len(key) <= 32 {
		return Invalid(path.Key(key), "unknown field")
	}
	return Invalid(path, "unknown field: a key of %d characters, too long for a field name", len(key))
}

func (w *walker) mapValue(tok json.Token, t reflect.Type, path Path) error {
	if tok != json.Delim('{') {
		return w.wrongType(tok, path, "an object")
	}
	seen := map[string]bool{}
	for w.dec.More() {
		key, err := w.key(path)
		if err != nil {
			return err
		}
		if seen[key] {
			return Invalid(path.Key(key), "duplicate key")
		}
		seen[key] = true
		if err := w.element(t.Elem(), path.Key(key)); err != nil {
			return err
		}
	}
	return w.closing(path)
}

func (w *walker) array(tok json.Token, t reflect.Type, path Path) error {
	if tok != json.Delim('[') {
		return w.wrongType(tok, path, "an array")
	}
	for i := 0; w.dec.More(); i++ {
		if t.Kind() == reflect.Array && i >= t.Len() {
			return Invalid(path, "must have at most %d elements", t.Len())
		}
		if err := w.element(t.Elem(), path.Index(i)); err != nil {
			return err
		}
	}
	return w.closing(path)
}

func (w *walker) key(path Path) (string, error) {
	tok, err := w.dec.Token()
	if err != nil {
		return "", syntaxError(path, err)
	}
	key, _ := tok.(string) // the decoder only yields strings in key position
	return key, nil
}

// closing consumes the '}' or ']' that ends the current object or array.
func (w *walker) closing(path Path) error {
	if _, err := w.dec.Token(); err != nil {
		return syntaxError(path, err)
	}
	return nil
}

func (w *walker) expect(tok json.Token, path Path, ok func(json.Token) bool, want string) error {
	if ok(tok) {
		return nil
	}
	return w.wrongType(tok, path, want)
}

// wrongType reports a type mismatch. It does not consume the rest of the
// value: the walk stops at the first error.
func (w *walker) wrongType(tok json.Token, path Path, want string) error {
	return Invalid(path, "must be %s, not %s", want, describe(tok))
}

// skip consumes the rest of a value whose first token is tok.
func (w *walker) skip(tok json.Token, path Path) error {
	if tok != json.Delim('{') && tok != json.Delim('[') {
		return nil
	}
	for depth := 1; depth > 0; {
		next, err := w.dec.Token()
		if err != nil {
			return syntaxError(path, err)
		}
		switch next {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
	return nil
}

func isString(tok json.Token) bool { _, ok := tok.(string); return ok }

func number(tok json.Token, path Path, want string, parse func(string) error) error {
	n, ok := tok.(json.Number)
	if !ok {
		return Invalid(path, "must be %s, not %s", want, describe(tok))
	}
	if err := parse(n.String()); err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return Invalid(path, "is out of range")
		}
		return Invalid(path, "must be %s", want)
	}
	return nil
}

func describe(tok json.Token) string {
	switch tok := tok.(type) {
	case json.Delim:
		if tok == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	default:
		return "null"
	}
}

func syntaxError(path Path, err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return Invalid(path, "invalid JSON at byte %d: %s", se.Offset, se.Error())
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return Invalid(path, "invalid JSON: unexpected end of input")
	default:
		return Invalid(path, "invalid JSON: %s", err.Error())
	}
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// fieldsOf maps the JSON member names of struct t to their types, following
// encoding/json's rules for tags, "-", unexported and embedded fields.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if cached, ok := fieldCache.Load(t); ok {
		return cached.(map[string]reflect.Type)
	}
	fields := map[string]reflect.Type{}
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range fieldsOf(ft) {
					if _, shadowed := fields[k]; !shadowed {
						fields[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = ft
	}
	fieldCache.Store(t, fields)
	return fields
}
