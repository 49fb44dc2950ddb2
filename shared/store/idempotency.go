package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// How long idempotency keys are remembered, and how long a claimed key may
// stay in progress before a retry may take it over (longer than the API
// Lambda's timeout, so a live request is never overtaken).
const (
	IdempotencyTTL   = 24 * time.Hour
	IdempotencyLease = 2 * time.Minute
)

// Idempotency record states.
const (
	IdempotencyInProgress = "inProgress"
	IdempotencyCompleted  = "completed"
)

// IdempotencyRecord is what the API remembers about one Idempotency-Key: a
// fingerprint of the request (a hash, so bodies with secrets are not kept)
// and, once completed, the response to replay.
type IdempotencyRecord struct {
	Fingerprint string            `dynamodbav:"fingerprint"`
	State       string            `dynamodbav:"state"`
	StatusCode  int               `dynamodbav:"statusCode,omitempty"`
	Body        string            `dynamodbav:"body,omitempty"`
	Headers     map[string]string `dynamodbav:"headers,omitempty"`
	LockedUntil int64             `dynamodbav:"lockedUntil"`
	ExpiresAt   int64             `dynamodbav:"expiresAt"`
}

// ClaimIdempotencyKey claims key for a request with the given fingerprint.
// It returns nil when the caller now owns the key and must run the request,
// or the existing record (another fingerprint, still in progress, or
// completed) for the caller to answer from. One conditional put decides, so
// two concurrent requests with one key cannot both run.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, scope domain.Scope, key, fingerprint string) (*IdempotencyRecord, error) {
	now := s.Now()
	rec := IdempotencyRecord{
		Fingerprint: fingerprint, State: IdempotencyInProgress,
		LockedUntil: now.Add(IdempotencyLease).Unix(), ExpiresAt: now.Add(IdempotencyTTL).Unix(),
	}
	item, err := s.idempotencyItem(scope, key, rec)
	if err != nil {
		return nil, err
	}
	nowV := expression.Value(now.Unix())
	// Free if absent, expired (TTL deletion lags by up to days) or abandoned
	// by a request that died while holding it.
	free := notExists().
		Or(expression.Name(TTLAttribute).LessThan(nowV)).
		Or(expression.Name("state").Equal(expression.Value(IdempotencyInProgress)).
			And(expression.Name("lockedUntil").LessThan(nowV)))
	expr, err := buildCondition(free)
	if err != nil {
		return nil, err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table), Item: item, ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		if err != nil {
			return nil, fmt.Errorf("claim idempotency key: %w", err)
		}
		return nil, nil
	}
	got, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: keyOf(ScopePK(scope), idempotencySK(key)), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, fmt.Errorf("read idempotency key: %w", err)
	}
	if got.Item == nil { // released between our put and get: report as busy
		return &IdempotencyRecord{Fingerprint: fingerprint, State: IdempotencyInProgress}, nil
	}
	var existing IdempotencyRecord
	if err := attributevalue.UnmarshalMap(got.Item, &existing); err != nil {
		return nil, fmt.Errorf("unmarshal idempotency record: %w", err)
	}
	return &existing, nil
}

// CompleteIdempotencyKey stores the response of a claimed key for replay.
func (s *Store) CompleteIdempotencyKey(ctx context.Context, scope domain.Scope, key string, rec IdempotencyRecord) error {
	rec.State = IdempotencyCompleted
	rec.LockedUntil = 0
	rec.ExpiresAt = s.Now().Add(IdempotencyTTL).Unix()
	item, err := s.idempotencyItem(scope, key, rec)
	if err != nil {
		return err
	}
	expr, err := buildCondition(expression.Name("fingerprint").Equal(expression.Value(rec.Fingerprint)))
	if err != nil {
		return err
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(s.table), Item: item, ConditionExpression: expr.Condition(),
		ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	}); err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey forgets a claimed key whose request failed with a
// server fault, so the client's retry runs it again.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, scope domain.Scope, key string) error {
	expr, err := buildCondition(expression.Name("state").Equal(expression.Value(IdempotencyInProgress)))
	if err != nil {
		return err
	}
	_, err = s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName: aws.String(s.table), Key: keyOf(ScopePK(scope), idempotencySK(key)),
		ConditionExpression: expr.Condition(), ExpressionAttributeNames: expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	})
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

func (s *Store) idempotencyItem(scope domain.Scope, key string, rec IdempotencyRecord) (map[string]types.AttributeValue, error) {
	item, err := attributevalue.MarshalMap(rec)
	if err != nil {
		return nil, fmt.Errorf("marshal idempotency record: %w", err)
	}
	for k, v := range keyOf(ScopePK(scope), idempotencySK(key)) {
		item[k] = v
	}
	item[attrKind] = &types.AttributeValueMemberS{Value: "IDEM"}
	return item, nil
}
