package upload

import (
	"context"
	"errors"
	"fmt"

	"github.com/faceid-verify/faceid/core"
)

// call makes the one paid call for a claimed version and records it.
func (p *Pipeline) call(ctx context.Context, j *job, checked core.Checked) error {
	called := p.now()
	res, err := p.client.Send(ctx, checked)
	t := called.UTC()
	j.res.Times.Called = &t
	j.res.Times.UpstreamMS = p.now().Sub(called).Milliseconds()

	// From here on the call may have cost ¥1: record it even if the
	// caller's context has ended, within a bound of our own.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.writeTimeout)
	defer cancel()
	if err == nil {
		j.res.setVerdict(res)
	} else {
		j.res.failed(err)
	}
	if j.res.Outcome == OutcomeNotSent {
		return p.release(wctx, j, err)
	}
	if werr := p.writeResult(wctx, j); werr != nil {
		// The claim stays "claimed": a redelivery waits for its expiry and
		// records "unknown" without calling. The verdict survives here.
		j.log.Error("result not written after the upstream call", p.outcomeAttrs(j, werr)...)
		return werr
	}
	state := stateDone
	if j.res.Outcome == OutcomeUnknown {
		state = stateUnknown
	}
	p.updateClaim(wctx, j, j.held, state)
	msg := "upload verified"
	if err != nil {
		msg = "upstream call failed; recorded, not retried"
	}
	j.log.Info(msg, p.outcomeAttrs(j, err)...)
	return p.deleteSource(wctx, j)
}

// release gives up a claim whose call provably never reached the upstream,
// so the platform's retry can claim and call again. The not_sent result is
// written first: if every retry fails, it is what remains.
func (p *Pipeline) release(ctx context.Context, j *job, cause error) error {
	if err := p.writeResult(ctx, j); err != nil {
		j.log.Warn("not_sent result not written", "error", errText(err))
	}
	if err := p.store.Delete(ctx, j.claimRef); err != nil {
		// Money-safe failure: the marker stays and no one calls on it, so
		// a retry could not help; the log names the marker to delete.
		j.log.Error("claim not released after an unsent call; delete it to retry", "claim_key", j.claimRef.Key, "error", errText(err))
		return nil
	}
	j.log.Warn("upstream not reached; claim released for a retry", p.outcomeAttrs(j, cause)...)
	return fmt.Errorf("upload: upstream not reached, retry: %w", cause)
}

// outcomeAttrs are the log fields of an outcome: masked, never raw.
func (p *Pipeline) outcomeAttrs(j *job, err error) []any {
	a := []any{
		"outcome", j.res.Outcome, "passed", j.res.Passed, "verdict", j.res.Verdict,
		"idcard", j.res.Person.IDCard, "order_no", j.res.OrderNo,
		"upstream_ms", j.res.Times.UpstreamMS,
	}
	if j.res.Incorrect != nil {
		a = append(a, "incorrect", j.res.Incorrect.Code)
	}
	if err != nil {
		a = append(a, "error", errText(err))
	}
	return a
}

// checkCreate runs the store's CreateChecker once per result bucket, before
// the first claim there: no paid call is made on an unverified claim.
func (p *Pipeline) checkCreate(ctx context.Context, j *job) error {
	cc, ok := p.store.(CreateChecker)
	if !ok {
		return nil
	}
	key := j.claimRef.Bucket + "\x00" + j.claimRef.Region
	if _, done := p.checked.Load(key); done {
		return nil
	}
	probe := Ref{Bucket: j.claimRef.Bucket, Region: j.claimRef.Region, Key: p.cfg.ClaimPrefix + "probe-" + randomHex(8)}
	if err := cc.CheckCreate(ctx, probe); err != nil {
		j.log.Error("claim store failed its conditional-create check; no paid call made", "error", errText(err))
		return fmt.Errorf("upload: check conditional create: %w", err)
	}
	p.checked.Store(key, true)
	return nil
}

// ProbeCreate checks that s.Create refuses an existing key: it creates
// ref.Key, creates it again expecting ErrExists, and deletes it. Stores
// whose guarantee depends on bucket settings implement CreateChecker with
// it.
func ProbeCreate(ctx context.Context, s Store, ref Ref) error {
	body := []byte(`{"probe":"conditional create"}`)
	if err := s.Create(ctx, ref, body); err != nil {
		return fmt.Errorf("probe: first create: %w", err)
	}
	err := s.Create(ctx, ref, body)
	switch {
	case errors.Is(err, ErrExists):
		err = nil
	case err == nil:
		err = ErrNoConditionalCreate
	default:
		err = fmt.Errorf("probe: second create: %w", err)
	}
	if derr := s.Delete(ctx, ref); derr != nil && err == nil {
		err = fmt.Errorf("probe: delete: %w", derr)
	}
	return err
}
