// Package upload verifies photos as they are uploaded to object storage
// (COS or S3). Every platform's upload event becomes an Event, and one
// Pipeline handles them all: read the object, validate, claim, call the
// upstream at most once per object version, and write a result object that
// holds only masked personal data.
//
// README.md in this directory describes the metadata contract for uploaders
// and the claim design that bounds the paid calls.
package upload

import (
	"errors"
	"time"
)

// Platform names used in Event.Platform.
const (
	PlatformCOS = "cos"
	PlatformS3  = "s3"
)

// Event is one uploaded object as a platform announced it.
type Event struct {
	// Platform is "cos" or "s3" (for logs and result objects).
	Platform string
	Bucket   string
	// Region is the bucket's region (COS: cosBucket.region, e.g.
	// ap-guangzhou; S3: awsRegion). COS needs it to address the bucket;
	// S3 may leave it empty to use the client's region.
	Region string
	// Key is the decoded object key, without COS's /<appid>/<bucket>/ head.
	Key       string
	VersionID string
	ETag      string
	Size      int64
	// Metadata is the user metadata the event carried, with lower-case
	// names and no x-cos-meta-/x-amz-meta- prefix (NormalizeMetadata); nil
	// when the event has none (S3). The pipeline prefers the metadata read
	// with the object, which belongs to the version it verifies, and falls
	// back to this, then to Head.
	Metadata  map[string]string
	EventTime time.Time
}

// ErrBadEvent reports an event that names no object. Process logs and drops
// such events (a redelivery would be just as malformed); adapters can call
// Validate to reject them earlier.
var ErrBadEvent = errors.New("upload: event names no object")

// Validate reports an event the pipeline cannot act on.
func (ev Event) Validate() error {
	if ev.Bucket == "" || ev.Key == "" {
		return ErrBadEvent
	}
	return nil
}

// ref is the event's object, at the version the event announced.
func (ev Event) ref() Ref {
	return Ref{Bucket: ev.Bucket, Region: ev.Region, Key: ev.Key, VersionID: ev.VersionID}
}
