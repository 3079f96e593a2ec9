// Package sandbox is an offline emulator of the paid face–ID-card API that
// the project calls on Tencent Cloud Market (¥1 per call), and of the
// Tencent Cloud API Gateway in front of it.
//
// It is NOT the real service: nothing here compares faces or queries the
// police database. Answers come from a table of fictional identities (like
// a payment provider's test card numbers), so tests and `make run` can
// exercise every documented outcome without network access or cost.
//
// A Server plays two layers, in the order the real call crosses them:
//
//   - the gateway: key-pair HMAC authentication in the scheme of the
//     gateway the path belongs to (core/hmacauth), rate limit and quota,
//     flat {"message": …} errors, an X-Api-RequestId header and the
//     server clock's Date on every response;
//   - the seller: parameter checks, the identity table, photo checks, and the
//     {"msg","success","code","data"} envelope with an order number.
//
// Between them sit injectable faults (latency, gateway 5xx, broken or huge
// bodies, connection resets) and counters of received, authenticated and
// billable calls, exposed in-process and under /_sandbox/. README.md lists
// the identities and every assumption the emulation makes.
//
// Of the project, the sandbox imports only core/hmacauth: its codes, checks
// and parsers are its own, so that tests against it witness the function's
// rather than share them (TestImportsOnlyTheSignaturePackage).
package sandbox
