package upload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Store errors. Implementations wrap them (%w) so callers use errors.Is.
var (
	// ErrNotFound: no object (version) under that key.
	ErrNotFound = errors.New("upload: object not found")
	// ErrExists: Create found the key taken.
	ErrExists = errors.New("upload: object already exists")
	// ErrTooLarge: Get refused an object above its size limit.
	ErrTooLarge = errors.New("upload: object too large")
)

// Ref names one object in a bucket and, optionally, one version of it.
type Ref struct {
	Bucket string
	// Region addresses the bucket where the store needs it (COS); empty
	// means the store's default.
	Region string
	Key    string
	// VersionID selects a version; empty means the current one.
	VersionID string
}

// ObjectInfo is what the store knows about one object.
type ObjectInfo struct {
	Size      int64
	ETag      string
	VersionID string
	// LastModified tells two uploads of identical bytes apart in buckets
	// without versioning (their ETags are equal).
	LastModified time.Time
	// ContentType is the object's Content-Type as stored.
	ContentType string
	// Metadata: lower-case names, prefix removed, values as stored.
	Metadata map[string]string
}

// Store is the little the pipeline needs from object storage.
type Store interface {
	// Head reads an object's metadata.
	Head(ctx context.Context, ref Ref) (ObjectInfo, error)
	// Get reads an object of at most max bytes. Beyond that it returns
	// ErrTooLarge, with the ObjectInfo filled in as far as known.
	// Metadata should be non-nil (empty when the object has none); nil
	// makes the pipeline ask Head.
	Get(ctx context.Context, ref Ref, max int64) ([]byte, ObjectInfo, error)
	// Create writes ref.Key only if nothing exists there yet (ErrExists
	// otherwise), atomically: of two concurrent Creates at most one
	// succeeds. It is the claim that makes one upload cost one call.
	Create(ctx context.Context, ref Ref, body []byte) error
	// Put writes ref.Key, replacing what is there.
	Put(ctx context.Context, ref Ref, body []byte) error
	// Delete removes an object (version). Deleting nothing is no error.
	Delete(ctx context.Context, ref Ref) error
}

// CreateChecker is implemented by stores whose conditional create depends
// on bucket settings the store cannot see (COS ignores its no-overwrite
// header on buckets that ever had versioning). The pipeline calls it once
// per bucket before the first claim there and makes no paid call if it
// fails.
type CreateChecker interface {
	CheckCreate(ctx context.Context, bucket Ref) error
}

// ReadCapped reads an object body of at most max bytes, refusing early when
// the declared size is already over (ErrTooLarge). Stores share it so every
// backend enforces the cap the same way.
func ReadCapped(body io.Reader, declared, max int64) ([]byte, error) {
	if declared > max {
		return nil, fmt.Errorf("get %d bytes: %w", declared, ErrTooLarge)
	}
	b, err := io.ReadAll(io.LimitReader(body, max+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("body over %d bytes: %w", max, ErrTooLarge)
	}
	return b, nil
}
