package upload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/invalid"
	"github.com/faceid-verify/faceid/core/mask"
)

// Caller is what the pipeline needs from the core: *core.Client satisfies it.
type Caller interface {
	Config() core.Config
	// Limits are the validation bounds, with the process's shared decode
	// memory.
	Limits() core.Limits
	Now() time.Time
	Send(ctx context.Context, checked core.Checked) (*core.Result, error)
	// Reject counts a local refusal as an avoided call, as Verify does.
	Reject(err error) error
}

// Pipeline turns upload events into at most one paid verification per
// object version and a result object. Create one per process; it is safe
// for concurrent use.
type Pipeline struct {
	cfg    Config
	client Caller
	store  Store
	log    *slog.Logger
	now    func() time.Time
	poll   time.Duration
	// writeTimeout bounds the writes after a paid call, which run even if
	// the caller's context has ended so a paid answer is not lost.
	writeTimeout time.Duration
	// duplicate is told of each skipped duplicate event (metrics).
	duplicate func(platform string)
	// checked holds the result buckets whose conditional create passed
	// CreateChecker, keyed by bucket and region.
	checked sync.Map
}

// Option customises a Pipeline.
type Option func(*Pipeline)

// WithLogger sets the JSON logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(p *Pipeline) { p.log = l } }

// WithClock injects the clock for claim expiry and timestamps.
func WithClock(now func() time.Time) Option { return func(p *Pipeline) { p.now = now } }

// WithDuplicates reports each duplicate event skipped, by platform (for
// the duplicate-events metric).
func WithDuplicates(f func(platform string)) Option {
	return func(p *Pipeline) { p.duplicate = f }
}

// WithPollInterval sets how often a duplicate event re-reads a claim that
// another attempt holds (default 250 ms).
func WithPollInterval(d time.Duration) Option { return func(p *Pipeline) { p.poll = d } }

// New builds a Pipeline; cfg takes its defaults first.
func New(cfg Config, client Caller, store Store, opts ...Option) (*Pipeline, error) {
	if client == nil || store == nil {
		return nil, errors.New("upload: New needs a client and a store")
	}
	p := &Pipeline{cfg: cfg.WithDefaults(), client: client, store: store, writeTimeout: 10 * time.Second}
	for _, o := range opts {
		o(p)
	}
	if p.poll <= 0 {
		p.poll = 250 * time.Millisecond
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	if err := p.cfg.Validate(); err != nil {
		return nil, err
	}
	// A claim must outlive its call and the result write, or a duplicate
	// would declare a live attempt dead.
	if floor := client.Config().Timeout + p.writeTimeout; p.cfg.ClaimTTL < floor {
		return nil, &core.ConfigError{Key: core.EnvPrefix + "_CLAIM_TTL", Reason: fmt.Sprintf("must be at least the call timeout plus 10s (%v)", floor)}
	}
	return p, nil
}

// Config returns the pipeline's effective configuration.
func (p *Pipeline) Config() Config { return p.cfg }

// Process handles one upload event. It returns an error only when a retry
// is safe (nothing was paid for, or the claim was released) and useful;
// every other outcome, including "unknown", is recorded in the result
// object and returns nil so the platform does not redeliver.
func (p *Pipeline) Process(ctx context.Context, ev Event) error {
	if err := p.process(ctx, ev); err != nil {
		return maskedError{err}
	}
	return nil
}

func (p *Pipeline) process(ctx context.Context, ev Event) error {
	started := p.now()
	log := p.log.With("platform", ev.Platform, "bucket", ev.Bucket, "key", mask.Key(ev.Key))
	if err := ev.Validate(); err != nil {
		log.Error("event dropped", "error", errText(err))
		return nil
	}
	if why := p.ignored(ev.Key); why != "" {
		log.Info("event ignored", "reason", why)
		return nil
	}
	img, info, src, err := p.read(ctx, ev)
	switch {
	case errors.Is(err, ErrNotFound):
		// Deleted since the upload, e.g. by DeleteSource on an earlier
		// delivery: there is nothing left to verify.
		log.Info("object no longer exists; event skipped")
		return nil
	case err != nil && !errors.Is(err, ErrTooLarge):
		return fmt.Errorf("upload: read %s: %w", ev.Key, err)
	}
	tooLarge := errors.Is(err, ErrTooLarge)
	j := p.newJob(ev, src, info, started)
	if ev.ETag != "" && info.ETag != "" && !sameETag(ev.ETag, info.ETag) {
		j.log.Warn("object changed since the event; verifying the current version")
	}
	idcard, name, err := p.person(ctx, j, ev, info)
	if err != nil && !isInvalid(err) {
		return err
	}
	if err := p.checkTicket(j.src.Key, j.meta, info, uploadedAt(ev, info, p.now)); err != nil {
		return p.rejected(ctx, j, err)
	}
	lim := p.client.Limits()
	switch {
	case tooLarge:
		return p.rejected(ctx, j, errTooLarge(lim.Photo.MaxBytes))
	case err != nil:
		return p.rejected(ctx, j, err)
	}
	checked, err := core.Request{Name: name, IDCard: idcard, Image: img}.Validate(ctx, lim, p.client.Now())
	var busy *core.BusyError
	switch {
	case errors.As(err, &busy):
		// The photo waited for decode memory in vain: nothing was paid or
		// claimed, so a redelivery can try again.
		return fmt.Errorf("upload: validate %s: %w", ev.Key, err)
	case err != nil:
		return p.rejected(ctx, j, err)
	}
	j.identify(p.cfg.ClaimPrefix, info, img, p.cfg.isIssued(j.src.Key))
	if err := p.checkCreate(ctx, j); err != nil {
		return err
	}
	owned, err := p.acquire(ctx, j)
	if err != nil || !owned {
		return err
	}
	return p.call(ctx, j, checked)
}

// person reads who the upload claims to show and records it masked. The
// metadata read with the bytes wins over the event's, which may describe
// an older version; Head is the fallback for stores whose reads carry none.
func (p *Pipeline) person(ctx context.Context, j *job, ev Event, info ObjectInfo) (idcard, name string, err error) {
	meta := info.Metadata
	if meta == nil {
		meta = NormalizeMetadata(ev.Metadata)
	}
	if meta == nil {
		h, herr := p.store.Head(ctx, j.src)
		if herr != nil {
			return "", "", fmt.Errorf("upload: head %s: %w", j.src.Key, herr)
		}
		meta = h.Metadata
	}
	j.meta = meta
	idcard, name, err = personFrom(meta)
	j.res.Person = Person{IDCard: mask.ID(idcard), Name: mask.Name(name)}
	if err != nil {
		j.res.Person.Name = mask.Name(meta[MetaName])
	}
	return idcard, name, err
}

// uploadedAt is when the store received the upload: the event's time,
// else the object's modification time.
func uploadedAt(ev Event, info ObjectInfo, now func() time.Time) time.Time {
	switch {
	case !ev.EventTime.IsZero():
		return ev.EventTime
	case !info.LastModified.IsZero():
		return info.LastModified
	}
	return now()
}

func isInvalid(err error) bool {
	var ve *core.ValidationError
	return errors.As(err, &ve)
}

// ignored says why a key is not an upload to verify, or "".
func (p *Pipeline) ignored(key string) string {
	switch {
	case strings.HasPrefix(key, p.cfg.ClaimPrefix):
		return "claim marker"
	case strings.HasPrefix(key, p.cfg.ResultPrefix):
		return "result object"
	case !strings.HasPrefix(key, p.cfg.UploadPrefix):
		return "outside the upload prefix"
	case strings.HasSuffix(key, "/"):
		return "folder marker"
	}
	return ""
}

// read fetches the photo, capped at what the core accepts before
// normalisation (a larger photo may still be shrunk to fit). For COS it
// also tries the percent-decoded key (see ParseCOSKey).
func (p *Pipeline) read(ctx context.Context, ev Event) ([]byte, ObjectInfo, Ref, error) {
	ref := ev.ref()
	max := int64(p.client.Limits().Intake())
	img, info, err := p.store.Get(ctx, ref, max)
	if errors.Is(err, ErrNotFound) && ev.Platform == PlatformCOS {
		if alt, ok := decodedCOSKey(ev.Key); ok && p.ignored(alt) == "" {
			altRef := ref
			altRef.Key = alt
			if img2, info2, err2 := p.store.Get(ctx, altRef, max); !errors.Is(err2, ErrNotFound) {
				img, info, err, ref = img2, info2, err2, altRef
			}
		}
	}
	if info.VersionID != "" {
		ref.VersionID = info.VersionID
	}
	return img, info, ref, err
}

// rejected records a local rejection: no claim, no paid call. A redelivery
// rewrites the same result, which costs nothing.
func (p *Pipeline) rejected(ctx context.Context, j *job, cause error) error {
	p.client.Reject(cause)
	j.res.failed(cause)
	if err := p.writeResult(ctx, j); err != nil {
		return err
	}
	j.log.Info("upload rejected", "outcome", j.res.Outcome, "field", j.res.Error.Field, "reason", j.res.Error.Reason)
	return p.deleteSource(ctx, j)
}

// deleteSource removes the verified photo version when configured to.
func (p *Pipeline) deleteSource(ctx context.Context, j *job) error {
	if !p.cfg.DeleteSource {
		return nil
	}
	if err := p.store.Delete(ctx, j.src); err != nil {
		// The result is written: a retry finds it and deletes again.
		return fmt.Errorf("upload: delete source: %w", err)
	}
	j.log.Info("source deleted")
	return nil
}

func errTooLarge(max int) error {
	mb := fmt.Sprintf("%dMB", max>>20)
	if max < 1<<20 {
		mb = fmt.Sprintf("%dKB", max>>10)
	}
	return invalid.New("image", "too_large", "图片大小超过"+mb, "image is larger than "+mb)
}

// sameETag compares ETags with or without their quotes.
func sameETag(a, b string) bool { return strings.Trim(a, `"`) == strings.Trim(b, `"`) }
