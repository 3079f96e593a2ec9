package lambdaevent

// UnsupportedEventError refuses an event the function does not serve. It
// is returned to the platform as the invocation's error, so the caller of
// a synchronous invocation sees the platform's error answer (an ALB answers
// 502, a WebSocket route an error message), an asynchronous one ends in the
// on-failure destination after Lambda's retries, and nothing reaches the
// paid API either way. Its message names the kind and what to use instead,
// never the event's content.
type UnsupportedEventError struct {
	Kind Kind
}

func (e *UnsupportedEventError) Error() string {
	const use = "invoke the function through an API Gateway REST or HTTP API, a Function URL or an S3 notification"
	switch e.Kind {
	case KindALB:
		return "unsupported event: Application Load Balancer requests are not served; " + use
	case KindWebSocket:
		return "unsupported event: API Gateway WebSocket messages are not served; " + use
	}
	return "unsupported event: expected an API Gateway, Function URL or S3 event"
}
