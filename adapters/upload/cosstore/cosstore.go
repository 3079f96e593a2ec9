// Package cosstore is the upload pipeline's Store on Tencent Cloud Object
// Storage, using cos-go-sdk-v5.
//
// Claims are PUT Object with x-cos-forbid-overwrite: true, which COS answers
// with 409 when the key exists — on buckets that never had versioning. The
// store cannot see that bucket setting, so it implements
// upload.CreateChecker: the pipeline probes the header once per bucket and
// makes no paid call if COS overwrote instead of refusing (README.md).
// With a shared store configured (Config.Claims, Redis on SCF), the store
// decides which attempt creates a marker instead, on any bucket.
package cosstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/faceid-verify/faceid/adapters/upload"
	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// Store implements upload.Store on COS. It keeps one SDK client per bucket
// and region.
type Store struct {
	cfg       Config
	base      *url.URL
	transport http.RoundTripper
	mu        sync.Mutex
	clients   map[string]*cos.Client
}

var (
	_ upload.Store         = (*Store)(nil)
	_ upload.CreateChecker = (*Store)(nil)
)

// New builds a Store from a validated config.
func New(cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Store{cfg: cfg, clients: map[string]*cos.Client{}, transport: cfg.Transport}
	if s.transport == nil {
		// Bounded waits: the platform's deadline would otherwise be the
		// only limit on a stuck storage call.
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = 30 * time.Second
		s.transport = t
	}
	if cfg.BaseURL != "" {
		s.base, _ = url.Parse(cfg.BaseURL) // checked by Validate
	}
	return s, nil
}

// client returns the SDK client for ref's bucket: its own URL
// (https://<bucket>.cos.<region>.myqcloud.com) or the configured override.
func (s *Store) client(ref upload.Ref) (*cos.Client, error) {
	region, err := NormalizeRegion(cmp(ref.Region, s.cfg.DefaultRegion))
	if s.base == nil && err != nil {
		return nil, err
	}
	k := ref.Bucket + "\x00" + region
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[k]; ok {
		return c, nil
	}
	u := s.base
	if u == nil {
		if u, err = cos.NewBucketURL(ref.Bucket, region, true); err != nil {
			return nil, fmt.Errorf("cosstore: bucket URL: %w", err)
		}
	}
	hc := &http.Client{Transport: &cos.CredentialTransport{Credential: s.cfg.credential(), Transport: s.transport}}
	c := cos.NewClient(&cos.BaseURL{BucketURL: u}, hc)
	c.Conf.EnableCRC = !s.cfg.DisableCRC
	s.clients[k] = c
	return c, nil
}

// Head reads an object's size, ETag, version and user metadata.
func (s *Store) Head(ctx context.Context, ref upload.Ref) (upload.ObjectInfo, error) {
	c, err := s.client(ref)
	if err != nil {
		return upload.ObjectInfo{}, err
	}
	resp, err := c.Object.Head(ctx, ref.Key, nil, version(ref)...)
	if err != nil {
		return upload.ObjectInfo{}, wrap("head", err)
	}
	return info(resp.Header), nil
}

// Get reads an object of at most max bytes.
func (s *Store) Get(ctx context.Context, ref upload.Ref, max int64) ([]byte, upload.ObjectInfo, error) {
	c, err := s.client(ref)
	if err != nil {
		return nil, upload.ObjectInfo{}, err
	}
	resp, err := c.Object.Get(ctx, ref.Key, nil, version(ref)...)
	if err != nil {
		return nil, upload.ObjectInfo{}, wrap("get", err)
	}
	defer resp.Body.Close()
	oi := info(resp.Header)
	b, err := upload.ReadCapped(resp.Body, oi.Size, max)
	if err != nil {
		return nil, oi, fmt.Errorf("cosstore: %w", err)
	}
	oi.Size = int64(len(b))
	return b, oi, nil
}

// Create writes the object only if the key is free: PUT Object with
// x-cos-forbid-overwrite: true, answered 409 when it exists; or, with
// Config.Claims, a claim in the shared store followed by a plain PUT.
func (s *Store) Create(ctx context.Context, ref upload.Ref, body []byte) error {
	if s.cfg.Claims != nil {
		return s.createClaimed(ctx, ref, body)
	}
	h := http.Header{}
	h.Set("x-cos-forbid-overwrite", "true")
	err := s.put(ctx, ref, body, &h)
	if status(err) == http.StatusConflict {
		return fmt.Errorf("cosstore: create: %w", upload.ErrExists)
	}
	return wrap("create", err)
}

// createClaimed creates ref when this attempt wins its claim in the shared
// store and no marker is in COS yet: the store makes concurrent attempts
// take turns, and the marker outlives the store's claim. A failure of
// the store fails the create, so no paid call is made on it.
func (s *Store) createClaimed(ctx context.Context, ref upload.Ref, body []byte) error {
	key := claimKey(ref)
	won, _, err := s.cfg.Claims.Claim(ctx, key, body, s.claimTTL())
	switch {
	case err != nil:
		return fmt.Errorf("cosstore: create: %w", err)
	case !won:
		return fmt.Errorf("cosstore: create: %w", upload.ErrExists)
	}
	_, err = s.Head(ctx, ref)
	switch {
	case err == nil: // an earlier attempt's marker, its claim since forgotten
		return fmt.Errorf("cosstore: create: %w", upload.ErrExists)
	case !errors.Is(err, upload.ErrNotFound):
		s.cfg.Claims.Delete(ctx, key) // nothing written: let a retry claim
		return err
	}
	if err := s.put(ctx, ref, body, nil); err != nil {
		// If the PUT landed after all, the marker decides from now on.
		s.cfg.Claims.Delete(ctx, key)
		return wrap("create", err)
	}
	return nil
}

func (s *Store) claimTTL() time.Duration {
	if s.cfg.ClaimTTL > 0 {
		return s.cfg.ClaimTTL
	}
	return upload.DefaultClaimTTL
}

// claimKey names ref's claim in the shared store. Marker keys are hashes,
// free of personal data.
func claimKey(ref upload.Ref) string {
	return "cos-claim:" + ref.Bucket + "/" + ref.Key
}

// Put writes the object, replacing any.
func (s *Store) Put(ctx context.Context, ref upload.Ref, body []byte) error {
	return wrap("put", s.put(ctx, ref, body, nil))
}

func (s *Store) put(ctx context.Context, ref upload.Ref, body []byte, extra *http.Header) error {
	c, err := s.client(ref)
	if err != nil {
		return err
	}
	_, err = c.Object.Put(ctx, ref.Key, bytes.NewReader(body), &cos.ObjectPutOptions{
		ObjectPutHeaderOptions: &cos.ObjectPutHeaderOptions{ContentType: "application/json", XOptionHeader: extra},
	})
	return err
}

// Delete removes the object, or the given version of it, and, with
// Config.Claims, its claim: the marker goes first, so that a claim never
// outlives a marker's release while the marker is still there.
func (s *Store) Delete(ctx context.Context, ref upload.Ref) error {
	c, err := s.client(ref)
	if err != nil {
		return err
	}
	_, err = c.Object.Delete(ctx, ref.Key, &cos.ObjectDeleteOptions{VersionId: ref.VersionID})
	if status(err) != http.StatusNotFound {
		if err = wrap("delete", err); err != nil {
			return err
		}
	}
	if s.cfg.Claims != nil && ref.VersionID == "" {
		if err := s.cfg.Claims.Delete(ctx, claimKey(ref)); err != nil {
			return fmt.Errorf("cosstore: delete claim: %w", err)
		}
	}
	return nil
}

// CheckCreate probes that the bucket refuses overwrites: COS ignores
// x-cos-forbid-overwrite on buckets that ever had versioning enabled. With
// Config.Claims the probe checks the shared store's claims instead.
func (s *Store) CheckCreate(ctx context.Context, ref upload.Ref) error {
	return upload.ProbeCreate(ctx, s, ref)
}

func version(ref upload.Ref) []string {
	if ref.VersionID == "" {
		return nil
	}
	return []string{url.QueryEscape(ref.VersionID)}
}

// info reads an object's description from COS response headers.
func info(h http.Header) upload.ObjectInfo {
	meta := map[string]string{}
	for k, v := range h {
		if strings.HasPrefix(strings.ToLower(k), "x-cos-meta-") && len(v) > 0 {
			meta[k] = v[0]
		}
	}
	oi := upload.ObjectInfo{
		ETag: h.Get("ETag"), VersionID: h.Get("x-cos-version-id"), ContentType: h.Get("Content-Type"),
		Metadata: upload.NormalizeMetadata(meta),
	}
	oi.Size, _ = strconv.ParseInt(h.Get("Content-Length"), 10, 64)
	oi.LastModified, _ = http.ParseTime(h.Get("Last-Modified"))
	return oi
}

// status is the HTTP status of a COS error answer, or 0.
func status(err error) int {
	var er *cos.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	return 0
}

func wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case status(err) == http.StatusNotFound:
		return fmt.Errorf("cosstore: %s: %w", op, upload.ErrNotFound)
	}
	return fmt.Errorf("cosstore: %s: %w", op, err)
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
