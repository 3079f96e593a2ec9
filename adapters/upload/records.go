package upload

import (
	"context"
	"errors"
	"log/slog"
)

// Processor is what a platform adapter needs of the pipeline.
type Processor interface {
	Process(ctx context.Context, ev Event) error
}

// ProcessAll runs p on every event of one platform delivery, all of them
// even when one fails, and returns the failures joined: the platform
// retries the delivery, so an error goes back only where the pipeline
// says a retry is safe and useful (Process returns nil otherwise).
// Both functions' event loops are this one, so a COS and an S3 delivery
// behave alike.
func ProcessAll(ctx context.Context, log *slog.Logger, p Processor, evs []Event) error {
	var errs []error
	for _, ev := range evs {
		if err := p.Process(ctx, ev); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		log.Error("upload processing failed; the platform will retry", "records", len(evs), "failed", len(errs))
	}
	return errors.Join(errs...)
}
