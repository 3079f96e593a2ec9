package upload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Claim states, recorded in the marker's body.
const (
	stateClaimed = "claimed" // an attempt is about to call, or is calling
	stateDone    = "done"    // the call was answered and the result written
	stateUnknown = "unknown" // the call may have reached the upstream; recorded as unknown
)

var (
	// ErrInProgress: another attempt holds the claim and this delivery ran
	// out of time waiting for its result. Nothing was called: retry later.
	ErrInProgress = errors.New("upload: another attempt holds the claim")
	// ErrNoConditionalCreate: the store overwrote an existing key that
	// Create should have refused, so claims cannot bound the paid calls.
	ErrNoConditionalCreate = errors.New("upload: store does not refuse to overwrite")
)

// claim is the marker's body. It holds no personal data.
type claim struct {
	Schema    int        `json:"schema"`
	State     string     `json:"state"`
	Token     string     `json:"token"`
	ClaimedAt time.Time  `json:"claimed_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	Outcome   string     `json:"outcome,omitempty"`
}

// maxReclaims bounds how often a claim may vanish (be released by an
// attempt that never reached the upstream) under one delivery.
const maxReclaims = 3

type step int

const (
	stop     step = iota // nothing (more) to do, or an error
	own                  // this attempt holds the claim
	tryAgain             // the claim was released: create it again
)

// acquire takes the claim for j's object version. It reports true when
// this attempt may make the paid call; false with a nil error when another
// attempt has handled (or is recorded as having handled) the version.
func (p *Pipeline) acquire(ctx context.Context, j *job) (bool, error) {
	for range maxReclaims {
		now := p.now().UTC()
		c := claim{Schema: 1, State: stateClaimed, Token: j.token, ClaimedAt: now, ExpiresAt: now.Add(p.cfg.ClaimTTL)}
		body, _ := json.Marshal(c) // plain struct: cannot fail
		err := p.store.Create(ctx, j.claimRef, body)
		if err == nil {
			j.held = c
			return true, nil
		}
		if !errors.Is(err, ErrExists) {
			// The create may have landed though its answer was lost.
			if got, rerr := p.readClaim(ctx, j); rerr == nil && got.Token == j.token {
				j.held = got
				return true, nil
			}
			return false, fmt.Errorf("upload: claim: %w", err)
		}
		next, err := p.inspect(ctx, j)
		if next != tryAgain {
			return next == own, err
		}
	}
	return false, fmt.Errorf("upload: claim released %d times in a row: %w", maxReclaims, ErrInProgress)
}

// inspect decides what a duplicate delivery does about a claim someone
// holds: skip when the result is there, wait while the holder may still be
// working, and record "unknown" once the holder is past its expiry.
func (p *Pipeline) inspect(ctx context.Context, j *job) (step, error) {
	recheck := false // a finished claim: read the result once more
	// Bounded so a frozen clock cannot spin forever.
	for range int(p.cfg.ClaimTTL/p.poll) + 2 {
		r, ok, err := p.readResult(ctx, j)
		if err != nil {
			return stop, err
		}
		mine := ok && r.Claim == j.claimID
		if mine && r.Outcome != OutcomeNotSent {
			j.log.Info("duplicate event skipped", "outcome", r.Outcome)
			p.skipped(j)
			return stop, p.deleteSource(ctx, j)
		}
		c, err := p.readClaim(ctx, j)
		switch {
		case errors.Is(err, ErrNotFound):
			return tryAgain, nil
		case err != nil:
			return stop, err
		case c.Token == j.token:
			// Our own create, retried by the SDK after a lost answer.
			j.held = c
			return own, nil
		case c.State != stateClaimed && !recheck:
			// The holder may have finished between the two reads.
			recheck = true
			continue
		case c.State != stateClaimed:
			j.log.Info("duplicate event skipped; its claim is finished and the result object is missing or belongs to a newer upload", "state", c.State)
			p.skipped(j)
			return stop, nil
		case !p.now().Before(c.ExpiresAt):
			if mine { // not_sent recorded, but the release failed
				j.log.Error("claim left behind after an unsent call; delete it to let a retry go ahead", "claim_key", j.claimRef.Key)
				return stop, nil
			}
			return stop, p.finalize(ctx, j, c)
		}
		if err := p.wait(ctx, c.ExpiresAt); err != nil {
			j.log.Info("claim held by another attempt; leaving it to a retry")
			return stop, err
		}
	}
	return stop, ErrInProgress
}

// finalize records an expired claim without result as unknown. Its attempt
// died somewhere between claim and result and may have reached the
// upstream: calling again could pay twice, so it is never called again.
func (p *Pipeline) finalize(ctx context.Context, j *job, c claim) error {
	j.res.Outcome = OutcomeUnknown
	j.res.Error = interrupted()
	if err := p.writeResult(ctx, j); err != nil {
		return err
	}
	p.updateClaim(ctx, j, c, stateUnknown)
	j.log.Warn("claim expired without a result; recorded as unknown, not called again", "outcome", OutcomeUnknown)
	return p.deleteSource(ctx, j)
}

// wait sleeps one poll interval (less near the claim's expiry), or fails
// with ErrInProgress when the caller's deadline leaves no time for it.
func (p *Pipeline) wait(ctx context.Context, until time.Time) error {
	d := max(min(p.poll, until.Sub(p.now())), time.Millisecond)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d+p.client.Config().DeadlineMargin {
		return ErrInProgress
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrInProgress, ctx.Err())
	case <-t.C:
		return nil
	}
}

func (p *Pipeline) readClaim(ctx context.Context, j *job) (claim, error) {
	body, _, err := p.store.Get(ctx, j.claimRef, maxDocBytes)
	if err != nil && !errors.Is(err, ErrTooLarge) {
		return claim{}, err
	}
	var c claim
	if err != nil || json.Unmarshal(body, &c) != nil || c.State == "" {
		// Not a marker we wrote: never call on its account.
		return claim{State: "unreadable"}, nil
	}
	return c, nil
}

// updateClaim records how the attempt ended. Best effort: the result
// object, read first by duplicates, is what counts.
func (p *Pipeline) updateClaim(ctx context.Context, j *job, c claim, state string) {
	now := p.now().UTC()
	c.State, c.Outcome, c.UpdatedAt = state, j.res.Outcome, &now
	body, _ := json.Marshal(c) // plain struct: cannot fail
	if err := p.store.Put(ctx, j.claimRef, body); err != nil {
		j.log.Warn("claim state not updated", "state", state, "error", errText(err))
	}
}

func (p *Pipeline) skipped(j *job) {
	if p.duplicate != nil {
		p.duplicate(j.platform)
	}
}
