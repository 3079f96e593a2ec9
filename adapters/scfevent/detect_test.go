package scfevent

import (
	_ "embed"
	"testing"
)

//go:embed testdata/timer.json
var timerEvent []byte

func TestDetect(t *testing.T) {
	tests := map[string]struct {
		payload []byte
		want    Kind
	}{
		"function url":       {functionURLPost, KindFunctionURL},
		"api gateway":        {apigwPostBase64, KindAPIGateway},
		"api gateway get":    {apigwGet, KindAPIGateway},
		"cos":                {cosPut, KindCOS},
		"timer":              {timerEvent, KindUnknown},
		"empty records":      {[]byte(`{"Records":[]}`), KindUnknown},
		"other records":      {[]byte(`{"Records":[{"CMQ":{}}]}`), KindUnknown},
		"records not a list": {[]byte(`{"Records":"x","httpMethod":"GET"}`), KindUnknown},
		"method not string":  {[]byte(`{"httpMethod":1}`), KindUnknown},
		"empty context":      {[]byte(`{"httpMethod":"GET","requestContext":{}}`), KindFunctionURL},
		"null":               {[]byte(`null`), KindUnknown},
		"array":              {[]byte(`[]`), KindUnknown},
		"not json":           {[]byte(`{`), KindUnknown},
	}
	for name, tc := range tests {
		if got := Detect(tc.payload); got != tc.want {
			t.Errorf("%s: Detect = %v, want %v", name, got, tc.want)
		}
	}
}
