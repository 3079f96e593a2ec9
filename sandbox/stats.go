package sandbox

// Stats counts calls to the face_id_card routes since the Server was built
// or last reset.
type Stats struct {
	// Received is every request to a face_id_card route, any method.
	Received int64 `json:"received"`
	// Authenticated is every request that passed the gateway (signature,
	// rate and quota) and was handed on towards the seller.
	Authenticated int64 `json:"authenticated"`
	// Billable is every call the seller answered with code 200 (any
	// incorrect code): what the real service would charge ¥1 for.
	Billable int64 `json:"billable"`
}

// Stats returns the counters. Each is read atomically; a call racing with
// requests may see them a request apart.
func (s *Server) Stats() Stats {
	return Stats{
		Received:      s.received.Load(),
		Authenticated: s.authenticated.Load(),
		Billable:      s.billable.Load(),
	}
}

// ResetStats zeroes the counters and the per-key rate and quota usage, which
// counts the same calls as Authenticated.
func (s *Server) ResetStats() {
	s.received.Store(0)
	s.authenticated.Store(0)
	s.billable.Store(0)
	s.limits.reset()
}
