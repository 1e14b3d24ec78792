-- Printed by wrk at the end of a run: one JSON line the benchmark script parses.
-- Latencies are in microseconds.
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "non_2xx": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration / 1e6, summary.errors.status, errors,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
