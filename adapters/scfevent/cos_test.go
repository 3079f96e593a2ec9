package scfevent

import (
	_ "embed"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/tencentyun/scf-go-lib/events"
)

var (
	//go:embed testdata/cos-put.json
	cosPut []byte
	//go:embed testdata/cos-plain-key.json
	cosPlainKey []byte
)

func TestUploadEvents(t *testing.T) {
	tests := map[string]struct {
		event []byte
		want  []upload.Event
	}{
		// The delete record is skipped; the encoded key is decoded because
		// the url's path decodes to the same thing; "+" stays "+".
		"put with encoded key, and a delete": {
			event: cosPut,
			want: []upload.Event{{
				Platform: "cos", Bucket: "uploads-1250000000", Region: "ap-guangzhou", Key: "photos/张三 a+b.jpg",
				VersionID: "MTg0NDUxNjQ1NjM4OTI4MzQ2NTA", Size: 33201,
				Metadata: map[string]string{"idcard": "110101199003070011", "name": "%E5%BC%A0%E4%B8%89",
					"content-type": "image/jpeg", "x-cos-request-id": "NjVhYmNkZWZfMDAwMDAwMDBfMDAwMF8wMDAwMDAw"},
				EventTime: time.Unix(1700000000, 0).UTC(),
			}},
		},
		// A literal "%41" in the key: the url (%2541) says it was not encoded.
		"literal percent, full bucket name in key": {
			event: cosPlainKey,
			want: []upload.Event{{
				Platform: "cos", Bucket: "uploads-1250000000", Region: "ap-guangzhou", Key: "in/100%41.jpg",
				Size: 1029, Metadata: map[string]string{"content-type": "image/jpeg"},
				EventTime: time.Unix(1700000002, 0).UTC(),
			}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var ev events.COSEvent
			if err := json.Unmarshal(tc.event, &ev); err != nil {
				t.Fatal(err)
			}
			got, err := UploadEvents(ev)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got\n %+v\nwant\n %+v", got, tc.want)
			}
		})
	}
}

func TestDecodeKey(t *testing.T) {
	tests := []struct{ key, url, want string }{
		{"a.jpg", "http://h/a.jpg", "a.jpg"},
		// The url's path decodes to the decoded key: the key was encoded.
		{"dir/%E4%B8%AD.jpg", "http://h/dir/%E4%B8%AD.jpg", "dir/中.jpg"},
		{"100%2541.jpg", "http://h/100%2541.jpg", "100%41.jpg"},
		{"100%41.jpg", "http://h/100A.jpg", "100A.jpg"},
		// The url's path decodes to the key itself: a literal '%'.
		{"100%41.jpg", "http://h/100%2541.jpg", "100%41.jpg"},
		// No evidence: as spelt (the pipeline retries decoded when missing).
		{"dir/%E4%B8%AD.jpg", "", "dir/%E4%B8%AD.jpg"},
		{"dir/%E4%B8%AD.jpg", "http://h/other", "dir/%E4%B8%AD.jpg"},
		{"100%zz.jpg", "http://h/100%zz.jpg", "100%zz.jpg"},
		{"a+b.jpg", "http://h/a+b.jpg", "a+b.jpg"},
		{"a%20b.jpg", "://bad", "a%20b.jpg"},
	}
	for _, tc := range tests {
		if got := decodeKey(tc.key, tc.url); got != tc.want {
			t.Errorf("decodeKey(%q, %q) = %q, want %q", tc.key, tc.url, got, tc.want)
		}
	}
}

func TestParseCOSEventRegion(t *testing.T) {
	payload := []byte(`{"Records":[{"cos":{"cosBucket":{"appid":"1250000000","name":"up","region":"xx",
		"s3Region":"ap-nanjing"},"cosObject":{"key":"/1250000000/up/uploads/a.jpg"}},
		"event":{"eventName":"cos:ObjectCreated:Put"}}]}`)
	got, err := ParseCOSEvent(payload)
	if err != nil || len(got) != 1 || got[0].Region != "ap-nanjing" || got[0].Metadata != nil {
		t.Fatalf("ParseCOSEvent = %+v, %v", got, err)
	}
	for in, want := range map[string]string{"gz": "ap-guangzhou", "ap-shanghai": "ap-shanghai", "zz": "", "": ""} {
		if got := region(in); got != want {
			t.Errorf("Region(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUploadEventsBadRecord(t *testing.T) {
	ev := events.COSEvent{Records: []events.COSRecord{
		{Event: events.COSEventMetadata{Name: "cos:ObjectCreated:Put"}},
		{
			Event: events.COSEventMetadata{Name: "cos:ObjectCreated:Put"},
			Object: events.COSEntity{
				Bucket: events.COSBucket{AppID: "1", Name: "b"},
				Object: events.COSObject{Name: "/1/b/ok.jpg", Metadata: map[string]string{"x-cos-meta-Name": "n"}},
			},
		},
	}}
	got, err := UploadEvents(ev)
	if err == nil {
		t.Error("no error for a record without a bucket")
	}
	if len(got) != 1 || got[0].Key != "ok.jpg" || got[0].Bucket != "b-1" || got[0].Metadata["name"] != "n" {
		t.Errorf("good record = %+v", got)
	}
}
