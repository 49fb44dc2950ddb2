package store

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/clusterforge/clusterforge/shared/domain"
)

// A cluster's task list is one item per task name (TASK#<name>), so
// parallel branches of a workflow update their own tasks without a
// read-modify-write on a shared list. "seq" keeps the list in workflow
// order: the API writes the planned tasks with their positions, and a task
// the plan did not list sorts after them.
const (
	kindTask     = "TASK"
	attrSeq      = "seq"
	unplannedSeq = math.MaxInt32
)

type taskItem struct {
	domain.Task
	Seq int `json:"seq"`
}

func taskSK(name string) string { return kindTask + "#" + name }

// taskPut is the transaction write of a planned task at position seq.
func (s *Store) taskPut(scope domain.Scope, clusterID string, seq int, t domain.Task) (types.TransactWriteItem, error) {
	item, err := childItem(scope, clusterID, taskSK(t.Name), kindTask, taskItem{Task: t, Seq: seq})
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(s.table), Item: item}}, nil
}

// PutTask upserts one task by name. StartedAt is kept when the stored task
// already has one (a retried step keeps its first start), and FinishedAt is
// cleared when t has none (the step runs again).
func (s *Store) PutTask(ctx context.Context, scope domain.Scope, clusterID string, t domain.Task) error {
	if t.Name == "" {
		return fmt.Errorf("put task of cluster %s: empty task name", clusterID)
	}
	name := expression.Name
	upd := expression.Set(name("name"), expression.Value(t.Name)).
		Set(name("state"), expression.Value(t.State)).
		Set(name("message"), expression.Value(t.Message)).
		Set(name("done"), expression.Value(t.Done)).
		Set(name("total"), expression.Value(t.Total)).
		Set(name(attrKind), expression.Value(kindTask)).
		Set(name(attrSeq), expression.IfNotExists(name(attrSeq), expression.Value(unplannedSeq)))
	if t.StartedAt != nil {
		upd = upd.Set(name("startedAt"), expression.IfNotExists(name("startedAt"), expression.Value(t.StartedAt.UTC())))
	}
	if t.FinishedAt != nil {
		upd = upd.Set(name("finishedAt"), expression.Value(t.FinishedAt.UTC()))
	} else {
		upd = upd.Remove(name("finishedAt"))
	}
	expr, err := expression.NewBuilder().WithUpdate(upd).Build()
	if err != nil {
		return fmt.Errorf("build task update: %w", err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: aws.String(s.table), Key: keyOf(clusterPK(scope, clusterID), taskSK(t.Name)),
		UpdateExpression: oneLine(expr.Update()), ExpressionAttributeNames: expr.Names(), ExpressionAttributeValues: expr.Values(),
	})
	if err != nil {
		return fmt.Errorf("put task %s of cluster %s: %w", t.Name, clusterID, err)
	}
	return nil
}

// oneLine joins the clauses the expression builder puts on separate lines
// ("REMOVE #0\nSET ..."): AWS accepts either, kumo only spaces.
func oneLine(update *string) *string {
	return aws.String(strings.ReplaceAll(aws.ToString(update), "\n", " "))
}

// Tasks lists the cluster's tasks in workflow order.
func (s *Store) Tasks(ctx context.Context, scope domain.Scope, clusterID string) ([]domain.Task, error) {
	items, err := s.queryChildren(ctx, scope, clusterID, kindTask+"#")
	if err != nil {
		return nil, err
	}
	return decodeTasks(clusterID, items)
}

// decodeTasks decodes TASK# items into workflow order.
func decodeTasks(clusterID string, items []map[string]types.AttributeValue) ([]domain.Task, error) {
	stored := make([]taskItem, len(items))
	for i, item := range items {
		if err := unmarshalJSONTagged(item, &stored[i]); err != nil {
			return nil, fmt.Errorf("unmarshal task of cluster %s: %w", clusterID, err)
		}
	}
	sort.SliceStable(stored, func(i, j int) bool { return stored[i].Seq < stored[j].Seq })
	out := make([]domain.Task, len(stored))
	for i, t := range stored {
		out[i] = t.Task
	}
	return out, nil
}

// maxTransactItems is DynamoDB's limit of writes per transaction.
const maxTransactItems = 100

// ResetTasks replaces the cluster's task list with tasks, in that order —
// for a new phase (deletion) whose progress must not mix with the last one.
func (s *Store) ResetTasks(ctx context.Context, scope domain.Scope, clusterID string, tasks []domain.Task) error {
	old, err := s.queryChildren(ctx, scope, clusterID, kindTask+"#")
	if err != nil {
		return err
	}
	keep := make(map[string]bool, len(tasks))
	var writes []types.TransactWriteItem
	for i, t := range tasks {
		keep[taskSK(t.Name)] = true
		put, err := s.taskPut(scope, clusterID, i, t)
		if err != nil {
			return err
		}
		writes = append(writes, put)
	}
	for _, item := range old {
		sk, _ := item[attrSK].(*types.AttributeValueMemberS)
		if sk == nil || keep[sk.Value] {
			continue
		}
		writes = append(writes, types.TransactWriteItem{Delete: &types.Delete{
			TableName: aws.String(s.table), Key: keyOf(clusterPK(scope, clusterID), sk.Value),
		}})
	}
	// Chunks are not atomic together, but each write is idempotent and a
	// retry converges; a task list is far below one chunk in practice.
	for start := 0; start < len(writes); start += maxTransactItems {
		chunk := writes[start:min(start+maxTransactItems, len(writes))]
		if _, err := s.transact(ctx, "reset tasks of cluster "+clusterID, chunk...); err != nil {
			return err
		}
	}
	return nil
}
