package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/adapters/upload/s3store"
	"github.com/faceid-verify/faceid/config"
	"github.com/faceid-verify/faceid/core"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// The local function offers the mobile upload flow on an embedded
// S3-compatible store: gofakes3, in memory, on loopback. An upload landing
// in it is handed to the same upload pipeline an S3 event notification
// hands it to on Lambda, so POST /uploads, a curl PUT and the result are
// all a newcomer needs. gofakes3 checks no signatures and no expiry; the
// pipeline's ticket check is what holds uploads to what was issued.

// localBucket is the embedded store's bucket unless FACEID_UPLOAD_BUCKET
// names another.
const localBucket = "faceid-local"

// localRegion is the region the store's addresses are signed for.
const localRegion = "us-east-1"

// localUploads is the embedded store, its trigger and the issuer.
type localUploads struct {
	issuer *upload.Issuer
	url    string // the store's base URL
	bucket string
	srv    *http.Server
	// inflight counts pipeline runs, waited for before the store closes.
	inflight sync.WaitGroup
}

// startUploads serves the embedded store on FACEID_S3_ADDR and wires the
// pipeline and the issuer to it, using client for the paid calls.
func startUploads(ctx context.Context, log *slog.Logger, client *core.Client, set config.Settings) (*localUploads, error) {
	ucfg, icfg, addr := set.Upload, set.Issue, set.Server.S3Addr
	if ucfg.MACKey == "" {
		// Tickets only need to outlive this process: a fresh key per run
		// keeps `make run` free of settings.
		b := make([]byte, 32)
		rand.Read(b)
		ucfg.MACKey = core.Secret(base64.StdEncoding.EncodeToString(b))
	}
	if icfg.Bucket == "" {
		icfg.Bucket = localBucket
	}
	icfg.Region = localRegion

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("upload store listen %s: %w", addr, err)
	}
	if ap, ok := ln.Addr().(*net.TCPAddr); !ok || !ap.IP.IsLoopback() {
		ln.Close()
		return nil, &core.ConfigError{Key: core.EnvPrefix + "_S3_ADDR", Reason: "must be a loopback address: the store takes unsigned uploads"}
	}
	u := &localUploads{url: "http://" + ln.Addr().String(), bucket: icfg.Bucket}
	s3c := s3.New(s3.Options{
		BaseEndpoint: aws.String(u.url), UsePathStyle: true, Region: localRegion,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "local", SecretAccessKey: "local"}, nil
		}),
	})
	store := s3store.New(s3c)
	p, err := upload.New(ucfg, client, store, upload.WithLogger(log))
	if err == nil {
		u.issuer, err = upload.NewIssuer(ucfg, icfg, client, store, store)
	}
	if err != nil {
		ln.Close()
		return nil, err
	}
	// The trigger's prefix filter: only issued uploads, whose tickets
	// nobody without the MAC key can make. An ordinary upload to this
	// unauthenticated store is kept but never paid for.
	prefix := ucfg.UploadPrefix + upload.IssuedDir
	notify := func(bucket, key string, size int64, res gofakes3.PutObjectResult) {
		if bucket != icfg.Bucket || !strings.HasPrefix(key, prefix) {
			return
		}
		ev := upload.Event{Platform: upload.PlatformS3, Bucket: bucket, Region: localRegion, Key: key,
			VersionID: string(res.VersionID), Size: size, EventTime: time.Now()}
		u.inflight.Go(func() {
			// Asynchronous, as S3 notifications are; a verification under
			// way finishes even if the server is stopping.
			if err := p.Process(context.WithoutCancel(ctx), ev); err != nil {
				log.Error("upload processing failed; a cloud trigger would retry", "error", err.Error())
			}
		})
	}
	backend := &notifyingBackend{Backend: s3mem.New(), notify: notify}
	u.srv = &http.Server{Handler: loopbackOnly(gofakes3.New(backend).Server(), ln.Addr().String()),
		ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := u.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("upload store stopped", "error", err.Error())
		}
	}()
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(icfg.Bucket)}); err != nil {
		u.srv.Close()
		return nil, fmt.Errorf("upload store: create bucket: %w", err)
	}
	// Not "listening" with a "url": tools wait for that line to find the
	// function's own address.
	log.Info("upload store ready", "store_url", u.url, "bucket", icfg.Bucket, "upload", ucfg, "issue", icfg)
	return u, nil
}

// close waits for the pipeline runs under way, then stops the store.
func (u *localUploads) close() {
	u.inflight.Wait()
	u.srv.Close()
}

// notifyingBackend is the store's backend, telling notify of each object
// written, after it is stored, as an S3 event notification would.
type notifyingBackend struct {
	gofakes3.Backend
	notify func(bucket, key string, size int64, res gofakes3.PutObjectResult)
}

func (b *notifyingBackend) PutObject(bucket, key string, meta map[string]string, input io.Reader, size int64,
	c *gofakes3.PutConditions) (gofakes3.PutObjectResult, error) {
	res, err := b.Backend.PutObject(bucket, key, meta, input, size, c)
	if err == nil {
		b.notify(bucket, key, size, res)
	}
	return res, err
}

// loopbackOnly serves only requests addressed to the store itself and
// not made by a web page: the store takes unsigned requests, and a page
// open in a browser on this machine could otherwise list and read its
// photos (gofakes3 answers every origin's CORS requests).
func loopbackOnly(next http.Handler, addr string) http.Handler {
	_, port, _ := net.SplitHostPort(addr)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Host != addr && r.Host != "localhost:"+port) || r.Header.Get("Origin") != "" {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// printUploadExample shows the mobile flow's first step as it can be
// pasted, and the two after it (README.md, "Mobile uploads").
func printUploadExample(w io.Writer, url string) {
	var b strings.Builder
	fmt.Fprintf(&b, "Or the mobile flow (README, \"Mobile uploads\"): ask for an upload address,\n\n")
	fmt.Fprintf(&b, "  curl -s %s/uploads -d '{\"name\":\"张三\",\"idcard\":\"110101199003070011\"}'\n\n", url)
	fmt.Fprintf(&b, "then PUT the photo to upload_url with every upload_headers entry (curl -T photo.jpg -H ...),\n")
	fmt.Fprintf(&b, "and read the result at result_url or %s/results/<key> (404 until it is ready).\n\n", url)
	io.WriteString(w, b.String())
}
