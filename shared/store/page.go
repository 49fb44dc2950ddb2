package store

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Page sizes for list calls.
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
)

// Page asks for one page of a list: Token is the opaque next token of the
// previous page ("" for the first).
type Page struct {
	Limit int
	Token string
}

func (p Page) limit() int32 {
	if p.Limit <= 0 || p.Limit > MaxPageSize {
		return DefaultPageSize
	}
	return int32(p.Limit)
}

// encodeToken turns a LastEvaluatedKey (string attributes only: every key in
// the table is a string) into an opaque token.
func encodeToken(key map[string]types.AttributeValue) (string, error) {
	if len(key) == 0 {
		return "", nil
	}
	plain := make(map[string]string, len(key))
	for name, v := range key {
		s, ok := v.(*types.AttributeValueMemberS)
		if !ok {
			return "", fmt.Errorf("encode page token: key attribute %s is not a string", name)
		}
		plain[name] = s.Value
	}
	b, err := json.Marshal(plain)
	if err != nil {
		return "", fmt.Errorf("encode page token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// decodeToken reverses encodeToken and refuses tokens whose partition is not
// the one being listed: a token is no way into another tenant's partition.
func decodeToken(token, pkAttr, wantPK string) (map[string]types.AttributeValue, error) {
	if token == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, ErrInvalidToken
	}
	var plain map[string]string
	if err := json.Unmarshal(b, &plain); err != nil || plain[pkAttr] != wantPK || len(plain) > 4 {
		return nil, ErrInvalidToken
	}
	key := make(map[string]types.AttributeValue, len(plain))
	for name, v := range plain {
		key[name] = &types.AttributeValueMemberS{Value: v}
	}
	return key, nil
}
