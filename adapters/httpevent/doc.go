// Package httpevent is the small piece the cloud adapters share: it turns
// the HTTP request an event describes into an *http.Request for the one
// shared handler, and records the handler's answer in a buffered
// ResponseWriter so an adapter can return it as the platform's response
// event.
//
// Each platform's adapter (adapters/scfevent, adapters/lambdaevent) only maps its
// event fields onto Request and Response; header, query, body and
// base64 rules live here once.
package httpevent
