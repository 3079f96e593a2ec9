// Package upload verifies photos as they are uploaded to object storage
// (COS or S3). Every platform's upload event becomes an Event, and one
// Pipeline handles them all: read the object, validate, claim, call the
// upstream at most once per object version, and write a result object that
// holds only masked personal data.
package upload

import (
	"context"
	"time"
)

// Event is one uploaded object as a platform announced it.
type Event struct {
	// Platform is "cos" or "s3" (for logs and result objects).
	Platform string
	Bucket   string
	// Key is the decoded object key, without COS's /<appid>/<bucket>/ head.
	Key       string
	VersionID string
	ETag      string
	Size      int64
	// Metadata is the user metadata the event carried, with lower-case
	// names and no x-cos-meta-/x-amz-meta- prefix. Nil means the event had
	// none (S3) and the pipeline reads it from the store.
	Metadata  map[string]string
	EventTime time.Time
}

// ObjectInfo is what the store knows about one object.
type ObjectInfo struct {
	Size      int64
	ETag      string
	VersionID string
	// Metadata: lower-case names, prefix removed, values as stored.
	Metadata map[string]string
}

// Store is the little the pipeline needs from object storage.
type Store interface {
	// Head reads an object's metadata.
	Head(ctx context.Context, bucket, key string) (ObjectInfo, error)
	// Get reads an object of at most max bytes (ErrTooLarge beyond).
	Get(ctx context.Context, bucket, key, versionID string, max int64) ([]byte, ObjectInfo, error)
	// Create writes key only if nothing exists there yet (ErrExists
	// otherwise): the atomic claim that makes one upload cost one call.
	Create(ctx context.Context, bucket, key string, body []byte) error
	// Put writes key, replacing what is there.
	Put(ctx context.Context, bucket, key string, body []byte) error
	// Delete removes an object (version).
	Delete(ctx context.Context, bucket, key, versionID string) error
}
