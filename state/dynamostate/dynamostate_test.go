package dynamostate_test

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/faceid-verify/faceid/state"
	"github.com/faceid-verify/faceid/state/dynamostate"
	"github.com/faceid-verify/faceid/state/statetest"
)

// One moto_server: the contract, the start-up checks, and the store going
// down under a client that was connected.
func TestDynamoDB(t *testing.T) {
	srv := statetest.StartMoto(t)
	srv.SetEnv(t)
	ctx := context.Background()
	if err := statetest.CreateDynamoTable(ctx, "faceid-state"); err != nil {
		t.Fatal(err)
	}
	calls := &recorder{seen: map[string]bool{}}
	s, err := dynamostate.Open(ctx, "faceid-state", func(o *dynamodb.Options) {
		o.HTTPClient = &http.Client{Transport: calls}
	})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Run("contract", func(t *testing.T) { statetest.Run(t, s) })
	// What the store called is what it asks to be granted, no more.
	if got, want := calls.actions(), dynamostate.Actions(); !slices.Equal(got, want) {
		t.Errorf("the store called %q; dynamostate.Actions() = %q", got, want)
	}

	t.Run("missing table fails the start", func(t *testing.T) {
		_, err := dynamostate.Open(ctx, "no-such-table")
		if !state.IsUnavailable(err) || !strings.Contains(err.Error(), "no-such-table") {
			t.Fatalf("Open of a missing table: %v", err)
		}
	})
	t.Run("wrong key schema fails the start", func(t *testing.T) {
		_, err := s.Client().CreateTable(ctx, &dynamodb.CreateTableInput{
			TableName:   aws.String("wrong-schema"),
			BillingMode: types.BillingModePayPerRequest,
			KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String("sk"), KeyType: types.KeyTypeRange}},
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: types.ScalarAttributeTypeS},
				{AttributeName: aws.String("sk"), AttributeType: types.ScalarAttributeTypeS}},
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = dynamostate.Open(ctx, "wrong-schema")
		if err == nil || !strings.Contains(err.Error(), "partition key pk (string)") {
			t.Fatalf("Open of a table with a sort key: %v", err)
		}
	})
	t.Run("down", func(t *testing.T) {
		srv.Stop()
		statetest.RunDown(t, s)
	})
}

// recorder notes the DynamoDB operations sent through it (the
// X-Amz-Target header, "DynamoDB_20120810.PutItem").
type recorder struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if _, op, ok := strings.Cut(req.Header.Get("X-Amz-Target"), "."); ok {
		r.mu.Lock()
		r.seen["dynamodb:"+op] = true
		r.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (r *recorder) actions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Sorted(maps.Keys(r.seen))
}
