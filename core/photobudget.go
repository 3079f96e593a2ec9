package core

import "github.com/faceid-verify/faceid/core/photo/decode"

// BusyError is a photo that waited in vain for decode memory
// (FACEID_DECODE_MEMORY) while other requests held it: nothing was sent,
// and a retry is safe. Callers answer it as a temporary overload (503).
type BusyError = decode.BusyError

// Limits is Config.Limits with the client's decode budget, which every
// request validated through this client shares: the upload pipeline
// validates with it, as Verify does.
func (c *Client) Limits() Limits {
	l := c.cfg.Limits()
	l.Decode = c.decodes
	return l
}
