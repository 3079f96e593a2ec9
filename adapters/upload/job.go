package upload

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/core/mask"
)

// job is one event's processing state.
type job struct {
	src       Ref
	resultRef Ref
	// claimID hashes the object version's identity (see identify); claimRef
	// is its marker. token tells this attempt's claim from any other's.
	claimID  string
	claimRef Ref
	token    string
	held     claim // the marker this attempt wrote, once it holds the claim
	started  time.Time
	// meta is the user metadata the person was read from.
	meta     map[string]string
	res      Result
	log      *slog.Logger
	platform string
}

func (p *Pipeline) newJob(ev Event, src Ref, info ObjectInfo, started time.Time) *job {
	bucket := p.cfg.ResultBucket
	if bucket == "" {
		bucket = ev.Bucket
	}
	j := &job{
		src:       src,
		resultRef: Ref{Bucket: bucket, Region: ev.Region, Key: p.cfg.ResultPrefix + src.Key + ".json"},
		started:   started,
		platform:  ev.Platform,
		log:       p.log.With("platform", ev.Platform, "bucket", ev.Bucket, "key", mask.Key(src.Key), "version_id", src.VersionID),
	}
	j.res = Result{
		Schema: resultSchema,
		Object: ObjectRecord{
			Platform: ev.Platform, Bucket: ev.Bucket, Key: mask.Key(src.Key),
			VersionID: src.VersionID, ETag: info.ETag, Size: info.Size,
		},
		Times: Times{Started: started.UTC()},
	}
	if !ev.EventTime.IsZero() {
		t := ev.EventTime.UTC()
		j.res.Times.Event = &t
	}
	return j
}

// identify derives the claim from the version actually read: its version
// id, or else its ETag and modification time (identical bytes uploaded
// again are a new upload). An issued key is one ticket, so its claim is
// the key alone: uploading to it again is not paid for again. The hash
// carries no personal data.
func (j *job) identify(claimPrefix string, info ObjectInfo, img []byte, issued bool) {
	var id string
	switch v := j.src.VersionID; {
	case issued:
		id = "issued"
	case v != "" && v != "null":
		id = "version:" + v
	default:
		tag := strings.Trim(info.ETag, `"`)
		if tag == "" {
			sum := sha256.Sum256(img)
			tag = "sha256:" + hex.EncodeToString(sum[:])
		}
		id = "etag:" + tag + "@" + strconv.FormatInt(info.LastModified.Unix(), 10)
	}
	sum := sha256.Sum256([]byte("faceid/claim/v1\x00" + j.res.Object.Bucket + "\x00" + j.src.Key + "\x00" + id))
	j.claimID = hex.EncodeToString(sum[:])
	j.claimRef = Ref{Bucket: j.resultRef.Bucket, Region: j.resultRef.Region, Key: claimPrefix + j.claimID + ".json"}
	j.token = randomHex(16)
	j.res.Claim = j.claimID
	j.log = j.log.With("claim", j.claimID)
}

// writeResult stamps the finish time and writes the result object.
func (p *Pipeline) writeResult(ctx context.Context, j *job) error {
	now := p.now()
	j.res.Times.Finished = now.UTC()
	j.res.Times.TotalMS = now.Sub(j.started).Milliseconds()
	body, err := json.MarshalIndent(j.res, "", "  ")
	if err != nil {
		return fmt.Errorf("upload: encode result: %w", err)
	}
	if err := p.store.Put(ctx, j.resultRef, body); err != nil {
		return fmt.Errorf("upload: write result: %w", err)
	}
	return nil
}

// readResult reads the result object; ok is false when there is none or it
// cannot be decoded.
func (p *Pipeline) readResult(ctx context.Context, j *job) (Result, bool, error) {
	body, _, err := p.store.Get(ctx, j.resultRef, maxDocBytes)
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrTooLarge) {
		return Result{}, false, nil // none, or not one of ours
	}
	if err != nil {
		return Result{}, false, fmt.Errorf("upload: read result: %w", err)
	}
	var r Result
	if err := json.Unmarshal(body, &r); err != nil {
		j.log.Warn("result object is not valid JSON; ignoring it")
		return Result{}, false, nil
	}
	return r, true, nil
}

// maxDocBytes caps result and claim reads; ours are under 2 KB.
const maxDocBytes = 64 << 10

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails since Go 1.24
	return hex.EncodeToString(b)
}
