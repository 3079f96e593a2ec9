// Package privacy holds only a test: it runs the function's scenarios end to
// end — HTTP verifications good and bad, upstream faults, drop-in
// signatures, uploads with duplicates — capturing every log line, every
// answer returned to a caller, every metric and every result object, and
// checks that no raw ID number, name, photo, photo URL query or secret key
// appears in any of them.
package privacy
