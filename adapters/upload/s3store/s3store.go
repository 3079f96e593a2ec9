// Package s3store is the upload pipeline's Store on Amazon S3 (and any
// server speaking its API, such as gofakes3 in tests), using aws-sdk-go-v2.
//
// Claims use PutObject with If-None-Match: * — S3 creates the object only if
// the key is free and answers 412 Precondition Failed otherwise
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html).
package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/faceid-verify/faceid/adapters/upload"
)

// Store implements upload.Store with an S3 client.
type Store struct {
	client *s3.Client
}

var _ upload.Store = (*Store)(nil)

// New wraps an S3 client (tests pass one with BaseEndpoint and UsePathStyle).
func New(client *s3.Client) *Store { return &Store{client: client} }

// Load builds the client from the SDK's standard configuration chain
// (environment, shared config, the Lambda role). An endpoint override such
// as AWS_ENDPOINT_URL_S3 also switches to path-style addressing, which local
// S3 servers need (they cannot resolve <bucket>.127.0.0.1).
func Load(ctx context.Context) (*Store, error) {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("s3store: load AWS config: %w", err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		// BaseEndpoint is set here only when an override was configured.
		if o.BaseEndpoint != nil {
			o.UsePathStyle = true
		}
		// The SDK would otherwise print a plain-text warning, breaking the
		// JSON log stream, for every answer without a checksum to validate.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	return New(client), nil
}

// regionFor uses the event's region for this call when it names one.
func regionFor(ref upload.Ref) []func(*s3.Options) {
	if ref.Region == "" {
		return nil
	}
	return []func(*s3.Options){func(o *s3.Options) { o.Region = ref.Region }}
}

// Head reads an object's size, ETag, version and user metadata.
func (s *Store) Head(ctx context.Context, ref upload.Ref) (upload.ObjectInfo, error) {
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key), VersionId: optional(ref.VersionID),
	}, regionFor(ref)...)
	if err != nil {
		return upload.ObjectInfo{}, wrap("head", err)
	}
	return upload.ObjectInfo{
		Size: aws.ToInt64(out.ContentLength), ETag: aws.ToString(out.ETag),
		VersionID: aws.ToString(out.VersionId), LastModified: aws.ToTime(out.LastModified),
		ContentType: aws.ToString(out.ContentType),
		Metadata:    upload.NormalizeMetadata(out.Metadata),
	}, nil
}

// Get reads an object of at most max bytes.
func (s *Store) Get(ctx context.Context, ref upload.Ref, max int64) ([]byte, upload.ObjectInfo, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key), VersionId: optional(ref.VersionID),
	}, regionFor(ref)...)
	if err != nil {
		return nil, upload.ObjectInfo{}, wrap("get", err)
	}
	defer out.Body.Close()
	info := upload.ObjectInfo{
		Size: aws.ToInt64(out.ContentLength), ETag: aws.ToString(out.ETag),
		VersionID: aws.ToString(out.VersionId), LastModified: aws.ToTime(out.LastModified),
		ContentType: aws.ToString(out.ContentType),
		Metadata:    upload.NormalizeMetadata(out.Metadata),
	}
	if info.Metadata == nil {
		info.Metadata = map[string]string{} // read, and there was none
	}
	b, err := upload.ReadCapped(out.Body, info.Size, max)
	if err != nil {
		return nil, info, fmt.Errorf("s3store: %w", err)
	}
	info.Size = int64(len(b))
	return b, info, nil
}

// Create writes the object only if the key is free (If-None-Match: *).
// S3 answers 412 when it exists and 409 while a concurrent conditional
// write to the key is in flight; both mean "not yours".
func (s *Store) Create(ctx context.Context, ref upload.Ref, body []byte) error {
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key),
		Body: bytes.NewReader(body), ContentType: aws.String("application/json"),
		IfNoneMatch: aws.String("*"),
	}, regionFor(ref)...)
	if st := status(err); st == http.StatusPreconditionFailed || st == http.StatusConflict {
		return fmt.Errorf("s3store: create: %w", upload.ErrExists)
	}
	return wrap("create", err)
}

// Put writes the object, replacing any.
func (s *Store) Put(ctx context.Context, ref upload.Ref, body []byte) error {
	_, err := s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key),
		Body: bytes.NewReader(body), ContentType: aws.String("application/json"),
	}, regionFor(ref)...)
	return wrap("put", err)
}

// Delete removes the object, or the given version of it.
func (s *Store) Delete(ctx context.Context, ref upload.Ref) error {
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key), VersionId: optional(ref.VersionID),
	}, regionFor(ref)...)
	if status(err) == http.StatusNotFound {
		return nil
	}
	return wrap("delete", err)
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// status is the HTTP status of a failed S3 call, or 0. The interfaces are
// what smithy's ResponseError and APIError implement.
func status(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// wrap maps a missing key or version to upload.ErrNotFound; a missing
// bucket stays an error, since it is a configuration problem.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae interface{ ErrorCode() string }
	code := ""
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	if code != "NoSuchBucket" && (status(err) == http.StatusNotFound || code == "NoSuchKey" || code == "NoSuchVersion") {
		return fmt.Errorf("s3store: %s: %w", op, upload.ErrNotFound)
	}
	return fmt.Errorf("s3store: %s: %w", op, err)
}
