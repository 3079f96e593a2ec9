// Package scfevent adapts Tencent SCF events to the shared pieces: HTTP events
// (Function URL and API Gateway) to the one http.Handler, and COS upload
// events to upload.Event for the upload pipeline.
//
// A Function URL event is a subset of the API Gateway event (body,
// headers, httpMethod, path, queryString; the client IP in the
// x-scf-remote-addr header; no requestContext, no isBase64Encoded).
// Tencent API Gateway stops taking new triggers and is being shut down,
// so Function URL is the documented path; API Gateway events keep working.
// See https://cloud.tencent.com/document/product/583/96099 and
// https://cloud.tencent.com/document/product/583/9707.
package scfevent
