package lambda

import "testing"

func TestDetect(t *testing.T) {
	tests := map[string]struct {
		payload []byte
		want    Kind
	}{
		"rest":                {restPost, KindREST},
		"http api":            {httpAPIPost, KindHTTPAPI},
		"function url":        {functionURLPost, KindFunctionURL},
		"s3":                  {s3Put, KindS3},
		"sqs":                 {[]byte(`{"Records":[{"messageId":"1","body":"x"}]}`), KindUnknown},
		"empty records":       {[]byte(`{"Records":[]}`), KindUnknown},
		"cos":                 {[]byte(`{"Records":[{"cos":{}}]}`), KindUnknown},
		"context not object":  {[]byte(`{"httpMethod":"GET","requestContext":"x"}`), KindUnknown},
		"method not a string": {[]byte(`{"httpMethod":["GET"]}`), KindUnknown},
		"scheduled":           {[]byte(`{"source":"aws.events","detail-type":"Scheduled Event"}`), KindUnknown},
		"null":                {[]byte(`null`), KindUnknown},
		"not json":            {[]byte(`}`), KindUnknown},
	}
	for name, tc := range tests {
		if got := Detect(tc.payload); got != tc.want {
			t.Errorf("%s: Detect = %v, want %v", name, got, tc.want)
		}
	}
}
