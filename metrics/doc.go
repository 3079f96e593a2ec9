// Package metrics counts what the verification service spent on paid
// upstream calls and what its local checks saved, and exports the numbers
// to Prometheus (/metrics on the local server) or as one log line per
// invocation (CloudWatch Embedded Metric Format on Lambda, flat JSON on SCF).
//
// A Registry is created once by main and handed to the core client as its
// Observer and to the adapters; there is no package-level state. The
// counters, the histogram and the text exposition are
// github.com/VictoriaMetrics/metrics's; this package adds what is the
// function's own: the money, the label guard below and the per-invocation
// lines. Recording a known label does not allocate; only the latency
// histogram takes a lock, briefly. core does not import this package: it
// reports through core.Observer, which Registry and Lines implement.
//
// Labels (outcomes, reasons, platforms) must be short codes such as
// "passed" or "idcard.checksum", never input values: ID numbers, names and
// photos are personal data, and metrics are kept and shipped far from the
// request. As a guard, a label that is not 1–64 printable ASCII bytes is
// counted as "other", and so is any new label beyond 64 per metric.
//
// Money is derived, not measured, and bounded from both sides: possibly
// billed = calls the seller may have billed × unit price (an upper bound:
// everything not provably unbilled); billed = calls whose answer carried
// the seller's code 200 × unit price (a lower bound: the seller bills
// those); saved = requests rejected locally × unit price. The seller's own
// bill remains the authority.
//
// CloudWatch Embedded Metric Format:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
// Prometheus text format 0.0.4:
// https://prometheus.io/docs/instrumenting/exposition_formats/
package metrics
