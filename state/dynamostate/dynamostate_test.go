package dynamostate_test

import (
	"context"
	"strings"
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
	s, err := dynamostate.Open(ctx, "faceid-state")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Run("contract", func(t *testing.T) { statetest.Run(t, s) })

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
