package lambdaevent

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/faceid-verify/faceid/adapters/upload"
)

// UploadEvents turns an S3 notification's ObjectCreated records into
// upload events. S3 events carry no user metadata, so Metadata stays nil
// and the pipeline reads it with HeadObject. Other records (removals,
// restores, replication) are skipped. A record that cannot be read is
// left out and reported in the error; the good ones are still returned.
func UploadEvents(ev events.S3Event) ([]upload.Event, error) {
	var (
		out  []upload.Event
		errs []error
	)
	for i, rec := range ev.Records {
		if !strings.Contains(rec.EventName, "ObjectCreated:") {
			continue
		}
		o := rec.S3.Object
		// S3 URL-encodes keys (form encoding, "+" for space); aws-lambda-go
		// decodes them into URLDecodedKey.
		key := o.URLDecodedKey
		if key == "" {
			key = o.Key
		}
		if rec.S3.Bucket.Name == "" || key == "" {
			errs = append(errs, fmt.Errorf("s3 record %d: no bucket or key", i))
			continue
		}
		out = append(out, upload.Event{
			Platform:  upload.PlatformS3,
			Bucket:    rec.S3.Bucket.Name,
			Region:    rec.AWSRegion,
			Key:       key,
			VersionID: o.VersionID,
			ETag:      o.ETag,
			Size:      o.Size,
			EventTime: rec.EventTime,
		})
	}
	return out, errors.Join(errs...)
}
