package cosstore

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/faceid-verify/faceid/adapters/upload"
	cos "github.com/tencentyun/cos-go-sdk-v5"
)

var _ upload.Presigner = (*Store)(nil)

// PresignPut signs a PUT Object with the SDK's GetPresignedURL2, which
// signs with the store's credential and adds its session token. The SDK
// signs Content-Type, Content-Length and every x-cos-* header it is given
// (cos.NeedSignHeaders), so COS refuses an upload whose values differ, and
// one after ttl. The role behind the credential needs cos:PutObject on the
// key for the signature to be honoured.
func (s *Store) PresignPut(ctx context.Context, ref upload.Ref, spec upload.PutSpec, ttl time.Duration) (string, http.Header, error) {
	c, err := s.client(ref)
	if err != nil {
		return "", nil, err
	}
	h := http.Header{}
	h.Set("Content-Type", spec.ContentType)
	if spec.ContentLength > 0 {
		h.Set("Content-Length", strconv.FormatInt(spec.ContentLength, 10))
	}
	for k, v := range spec.Metadata {
		h.Set("x-cos-meta-"+k, v)
	}
	u, err := c.Object.GetPresignedURL2(ctx, http.MethodPut, ref.Key, ttl, &cos.PresignedURLOptions{Header: &h})
	if err != nil {
		return "", nil, fmt.Errorf("cosstore: presign put: %w", err)
	}
	return u.String(), h, nil
}

// PresignGet signs a GET Object: the result address a client polls.
func (s *Store) PresignGet(ctx context.Context, ref upload.Ref, ttl time.Duration) (string, error) {
	c, err := s.client(ref)
	if err != nil {
		return "", err
	}
	u, err := c.Object.GetPresignedURL2(ctx, http.MethodGet, ref.Key, ttl, nil)
	if err != nil {
		return "", fmt.Errorf("cosstore: presign get: %w", err)
	}
	return u.String(), nil
}
