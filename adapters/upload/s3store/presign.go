package s3store

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/faceid-verify/faceid/adapters/upload"
)

var _ upload.Presigner = (*Store)(nil)

// PresignPut signs a PutObject with the SDK's presign client. Content-Type,
// Content-Length (when given) and every x-amz-meta-* header are signed
// headers: S3 refuses an upload whose values differ, and one after ttl.
// The signature is only as valid as the credentials behind it, so the
// function's role needs s3:PutObject on the key.
func (s *Store) PresignPut(ctx context.Context, ref upload.Ref, spec upload.PutSpec, ttl time.Duration) (string, http.Header, error) {
	in := &s3.PutObjectInput{
		Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key),
		ContentType: aws.String(spec.ContentType), Metadata: spec.Metadata,
	}
	if spec.ContentLength > 0 {
		in.ContentLength = aws.Int64(spec.ContentLength)
	}
	req, err := s3.NewPresignClient(s.client).PresignPutObject(ctx, in, presignOpts(ref, ttl)...)
	if err != nil {
		return "", nil, fmt.Errorf("s3store: presign put: %w", err)
	}
	h := req.SignedHeader.Clone()
	h.Del("Host")
	return req.URL, h, nil
}

// PresignGet signs a GetObject: the result address a client polls.
func (s *Store) PresignGet(ctx context.Context, ref upload.Ref, ttl time.Duration) (string, error) {
	req, err := s3.NewPresignClient(s.client).PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(ref.Bucket), Key: aws.String(ref.Key),
	}, presignOpts(ref, ttl)...)
	if err != nil {
		return "", fmt.Errorf("s3store: presign get: %w", err)
	}
	return req.URL, nil
}

func presignOpts(ref upload.Ref, ttl time.Duration) []func(*s3.PresignOptions) {
	opts := []func(*s3.PresignOptions){s3.WithPresignExpires(ttl)}
	if ref.Region != "" {
		opts = append(opts, s3.WithPresignClientFromClientOptions(regionFor(ref)...))
	}
	return opts
}
