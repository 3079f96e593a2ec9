package scfevent

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/adapters/upload/cosstore"
	"github.com/tencentyun/scf-go-lib/events"
)

// UploadEvents turns a COS event's ObjectCreated records into upload
// events. Other records (removals, restores) are skipped: they announce no
// new photo. A record that cannot be read is left out and reported in the
// error, while the good ones are still returned.
func UploadEvents(ev events.COSEvent) ([]upload.Event, error) {
	var (
		out  []upload.Event
		errs []error
	)
	for i, rec := range ev.Records {
		if !strings.HasPrefix(rec.Event.Name, "cos:ObjectCreated:") {
			continue
		}
		e, err := uploadEvent(rec)
		if err != nil {
			errs = append(errs, fmt.Errorf("cos record %d: %w", i, err))
			continue
		}
		out = append(out, e)
	}
	return out, errors.Join(errs...)
}

// ParseCOSEvent decodes a COS event and converts it as UploadEvents does,
// also reading cosBucket.s3Region ("ap-guangzhou"), which real events
// carry next to the short region ("gz") but scf-go-lib's type drops.
func ParseCOSEvent(payload []byte) ([]upload.Event, error) {
	var ev events.COSEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("cos event: %w", err)
	}
	var extra struct {
		Records []struct {
			COS struct {
				Bucket struct {
					S3Region string `json:"s3Region"`
				} `json:"cosBucket"`
			} `json:"cos"`
		} `json:"Records"`
	}
	if json.Unmarshal(payload, &extra) == nil && len(extra.Records) == len(ev.Records) {
		for i, r := range extra.Records {
			if r.COS.Bucket.S3Region != "" {
				ev.Records[i].Object.Bucket.Region = r.COS.Bucket.S3Region
			}
		}
	}
	return UploadEvents(ev)
}

func uploadEvent(rec events.COSRecord) (upload.Event, error) {
	o := rec.Object.Object
	bucket, key, err := upload.ParseCOSKey(o.Name)
	if err != nil {
		return upload.Event{}, err
	}
	e := upload.Event{
		Platform:  upload.PlatformCOS,
		Bucket:    bucket,
		Region:    region(rec.Object.Bucket.Region),
		Key:       decodeKey(key, o.URL),
		VersionID: o.VID,
		Size:      o.Size,
		Metadata:  upload.NormalizeMetadata(o.Metadata),
	}
	if rec.Event.Timestamp > 0 {
		e.EventTime = time.Unix(rec.Event.Timestamp, 0).UTC()
	}
	return e, nil
}

// decodeKey settles whether COS percent-encoded the key, which nothing
// documents. The event's url is percent-encoded by definition, so when its
// decoded path equals the decoded key, the key was encoded too. Otherwise
// the key stays as spelt, and the pipeline itself retries a key with '%'
// decoded when it is not found.
func decodeKey(key, rawURL string) string {
	if !strings.Contains(key, "%") || rawURL == "" {
		return key
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return key
	}
	decoded, err := url.PathUnescape(key)
	if err != nil || decoded == key {
		return key
	}
	if strings.TrimPrefix(u.Path, "/") == decoded {
		return decoded
	}
	return key
}

// region returns a COS event's bucket region as the COS API names it.
// Events have carried short legacy names ("gz"); cosstore maps the known
// ones. An unknown one becomes "", which the store takes as its default
// (the function's region): a COS trigger only fires for buckets in the
// function's own region.
func region(r string) string {
	if r == "" {
		return ""
	}
	n, err := cosstore.NormalizeRegion(r)
	if err != nil {
		return ""
	}
	return n
}
