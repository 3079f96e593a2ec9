package lambdaevent

import (
	_ "embed"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/faceid-verify/faceid/adapters/upload"
)

//go:embed testdata/s3-put.json
var s3Put []byte

func TestUploadEvents(t *testing.T) {
	var ev events.S3Event
	if err := json.Unmarshal(s3Put, &ev); err != nil {
		t.Fatal(err)
	}
	got, err := UploadEvents(ev)
	if err != nil {
		t.Fatal(err)
	}
	want := []upload.Event{{
		Platform: "s3", Bucket: "faceid-uploads", Region: "us-east-1",
		// S3 form-encodes keys: "+" is a space, %2B a plus.
		Key:       "photos/张三 a+b.jpg",
		VersionID: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", ETag: "0123456789abcdef0123456789abcdef",
		Size: 33201, EventTime: time.Date(2023, 11, 14, 22, 13, 20, 123e6, time.UTC),
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n %+v\nwant\n %+v", got, want)
	}
	if got[0].Metadata != nil {
		t.Error("S3 events carry no metadata; Metadata must stay nil for HeadObject")
	}
}

func TestUploadEventsBadRecord(t *testing.T) {
	ev := events.S3Event{Records: []events.S3EventRecord{
		{EventName: "ObjectCreated:Put"},
		{EventName: "ObjectCreated:Put", S3: events.S3Entity{
			Bucket: events.S3Bucket{Name: "b"}, Object: events.S3Object{Key: "k"}}},
	}}
	got, err := UploadEvents(ev)
	if err == nil {
		t.Error("no error for a record without a bucket")
	}
	if len(got) != 1 || got[0].Key != "k" {
		t.Errorf("good record = %+v", got)
	}
}
