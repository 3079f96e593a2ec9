// Package dynamostate is the state.Store on Amazon DynamoDB, for functions
// on Lambda. The table's schema is fixed so that operators can create it
// themselves: partition key `pk` (string), no sort key, TTL on the
// attribute `ttl` (epoch seconds). template.yaml creates it.
//
// Claims are conditional PutItems; the budget is an UpdateItem with ADD
// and a condition on the limit. DynamoDB deletes expired items only within
// days, so every read and condition also compares `exp` (epoch
// milliseconds) with the clock: an expired item counts as absent at once.
package dynamostate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/faceid-verify/faceid/state"
)

// The table's attributes.
const (
	attrKey     = "pk"  // partition key, string
	attrValue   = "v"   // a record's value, binary
	attrCount   = "n"   // a counter, number
	attrExpires = "exp" // epoch milliseconds after which the item is gone
	attrTTL     = "ttl" // epoch seconds, for DynamoDB's TTL deletion
)

// Actions are the IAM actions the store calls on its table, all it must
// be granted (template.yaml grants them; a test records the calls).
func Actions() []string {
	return []string{"dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
}

// Store implements state.Store on one DynamoDB table.
type Store struct {
	db    *dynamodb.Client
	table string
	now   func() time.Time
}

var _ state.Store = (*Store)(nil)

// Open checks that the table exists with the fixed key schema, using the
// AWS SDK's standard configuration: the execution role, AWS_REGION, and
// endpoint overrides such as AWS_ENDPOINT_URL_DYNAMODB. A table that
// cannot be described fails the start rather than every request. Opts
// adjust the client (tests).
func Open(ctx context.Context, table string, opts ...func(*dynamodb.Options)) (*Store, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("dynamostate: AWS configuration: %w", err)
	}
	s := &Store{db: dynamodb.NewFromConfig(cfg, opts...), table: table, now: time.Now}
	out, err := s.db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil {
		return nil, fmt.Errorf("dynamostate: table %s: %w", table, unavailable("describe", err))
	}
	if err := checkSchema(out.Table); err != nil {
		return nil, fmt.Errorf("dynamostate: table %s: %w", table, err)
	}
	return s, nil
}

// Opener opens the table cfg names (stores.Opener).
func Opener(ctx context.Context, cfg state.Config) (state.Store, error) {
	s, err := Open(ctx, cfg.Table)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// checkSchema refuses a table whose key is not `pk` (string) alone: every
// write would fail, one request at a time.
func checkSchema(t *types.TableDescription) error {
	want := errors.New("the key must be the partition key pk (string), with no sort key")
	if t == nil || len(t.KeySchema) != 1 || aws.ToString(t.KeySchema[0].AttributeName) != attrKey ||
		t.KeySchema[0].KeyType != types.KeyTypeHash {
		return want
	}
	for _, a := range t.AttributeDefinitions {
		if aws.ToString(a.AttributeName) == attrKey && a.AttributeType != types.ScalarAttributeTypeS {
			return want
		}
	}
	return nil
}

// CreateTable creates a table of the fixed schema, billed on demand, with
// TTL on `ttl`, and waits until it is active. The deployment files create
// the table; this is for local servers and tests.
func CreateTable(ctx context.Context, db *dynamodb.Client, table string) error {
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            &table,
		BillingMode:          types.BillingModePayPerRequest,
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(attrKey), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(attrKey), AttributeType: types.ScalarAttributeTypeS}},
	})
	if err != nil {
		return fmt.Errorf("dynamostate: create table %s: %w", table, err)
	}
	if err := dynamodb.NewTableExistsWaiter(db).Wait(ctx, &dynamodb.DescribeTableInput{TableName: &table}, time.Minute); err != nil {
		return fmt.Errorf("dynamostate: table %s not active: %w", table, err)
	}
	_, err = db.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               &table,
		TimeToLiveSpecification: &types.TimeToLiveSpecification{AttributeName: aws.String(attrTTL), Enabled: aws.Bool(true)},
	})
	if err != nil {
		return fmt.Errorf("dynamostate: TTL on table %s: %w", table, err)
	}
	return nil
}

// Client is the store's DynamoDB client (tests create tables with it).
func (s *Store) Client() *dynamodb.Client { return s.db }

func (s *Store) key(key string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{attrKey: &types.AttributeValueMemberS{Value: key}}
}

// record is an item holding value until now+ttl.
func (s *Store) record(key string, value []byte, ttl time.Duration) map[string]types.AttributeValue {
	exp := s.now().Add(max(ttl, time.Millisecond))
	return map[string]types.AttributeValue{
		attrKey:     &types.AttributeValueMemberS{Value: key},
		attrValue:   &types.AttributeValueMemberB{Value: value},
		attrExpires: num(exp.UnixMilli()),
		attrTTL:     num((exp.UnixMilli() + 999) / 1000),
	}
}

func (s *Store) Claim(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, []byte, error) {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           &s.table,
		Item:                                s.record(key, value, ttl),
		ConditionExpression:                 aws.String("attribute_not_exists(#pk) OR #exp <= :now"),
		ExpressionAttributeNames:            map[string]string{"#pk": attrKey, "#exp": attrExpires},
		ExpressionAttributeValues:           map[string]types.AttributeValue{":now": num(s.now().UnixMilli())},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return true, nil, nil
	case !errors.As(err, &ccf):
		return false, nil, unavailable("claim", err)
	}
	cur, ok := s.live(ccf.Item)
	if ccf.Item == nil { // a server that does not return the old item
		var err error
		if cur, ok, err = s.Get(ctx, key); err != nil {
			return false, nil, err
		}
	}
	if !ok {
		return false, nil, nil
	}
	// The SDK retries a write whose answer was lost: the record it finds
	// may be its own.
	return bytes.Equal(cur, value), cur, nil
}

func (s *Store) Put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: s.record(key, value, ttl)})
	if err != nil {
		return unavailable("put", err)
	}
	return nil
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, bool, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: s.key(key), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, false, unavailable("get", err)
	}
	v, ok := s.live(out.Item)
	return v, ok, nil
}

// live returns an item's value unless it is absent or expired.
func (s *Store) live(item map[string]types.AttributeValue) ([]byte, bool) {
	exp, ok := item[attrExpires].(*types.AttributeValueMemberN)
	if !ok {
		return nil, false
	}
	if ms, err := strconv.ParseInt(exp.Value, 10, 64); err != nil || ms <= s.now().UnixMilli() {
		return nil, false
	}
	v, ok := item[attrValue].(*types.AttributeValueMemberB)
	if !ok {
		return nil, false
	}
	if v.Value == nil {
		return []byte{}, true
	}
	return v.Value, true
}

func (s *Store) Delete(ctx context.Context, key string) error {
	if _, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &s.table, Key: s.key(key)}); err != nil {
		return unavailable("delete", err)
	}
	return nil
}

// once makes an update a single attempt: a retried ADD whose answer was
// lost would count twice, so a failure fails closed instead.
func once(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }

func (s *Store) Reserve(ctx context.Context, key string, limit int64, expires time.Time) (bool, error) {
	if limit <= 0 {
		return false, nil
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &s.table,
		Key:                      s.key(key),
		UpdateExpression:         aws.String("ADD #n :one SET #exp = if_not_exists(#exp, :exp), #ttl = if_not_exists(#ttl, :ttl)"),
		ConditionExpression:      aws.String("attribute_not_exists(#n) OR #n < :limit"),
		ExpressionAttributeNames: map[string]string{"#n": attrCount, "#exp": attrExpires, "#ttl": attrTTL},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": num(1), ":limit": num(limit),
			":exp": num(expires.UnixMilli()), ":ttl": num(expires.Unix()),
		},
	}, once)
	var ccf *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &ccf):
		return false, nil
	}
	return false, unavailable("reserve", err)
}

func (s *Store) Refund(ctx context.Context, key string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       s.key(key),
		UpdateExpression:          aws.String("ADD #n :minus"),
		ConditionExpression:       aws.String("#n > :zero"),
		ExpressionAttributeNames:  map[string]string{"#n": attrCount},
		ExpressionAttributeValues: map[string]types.AttributeValue{":minus": num(-1), ":zero": num(0)},
	}, once)
	var ccf *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &ccf) {
		return unavailable("refund", err)
	}
	return nil
}

// Close does nothing: the SDK's connections need no closing.
func (s *Store) Close() error { return nil }

func num(n int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

func unavailable(op string, err error) error {
	return &state.UnavailableError{Backend: "dynamodb", Op: op, Err: err}
}
