#!/usr/bin/env python3
"""Delivers payment notifications to /webhooks/payments/sandbox over keep-alive
connections: every id in IDS_FILE twice (all once, then all again), CONNECTIONS
at a time. Prints one RESULT line with the wall time of the whole run, the
deliveries per second and latency percentiles; any answer but 200 is an error."""
import http.client
import os
import statistics
import sys
import threading
import time

port = int(sys.argv[1])
ids = [line.strip() for line in open(os.environ["IDS_FILE"]) if line.strip()]
deliveries = ids + ids
connections = int(os.environ.get("CONNECTIONS", "32"))
lock = threading.Lock()
position = 0
latencies = []
errors = 0


def worker():
    global position, errors
    conn = http.client.HTTPConnection("127.0.0.1", port)
    mine = []
    while True:
        with lock:
            if position >= len(deliveries):
                break
            payment = deliveries[position]
            position += 1
        body = '{"type":"notification","event":"payment.succeeded","object":{"id":"%s"}}' % payment
        started = time.perf_counter()
        conn.request("POST", "/webhooks/payments/sandbox", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        mine.append(time.perf_counter() - started)
        if response.status != 200:
            with lock:
                errors += 1
    with lock:
        latencies.extend(mine)


threads = [threading.Thread(target=worker) for _ in range(connections)]
started = time.perf_counter()
for t in threads:
    t.start()
for t in threads:
    t.join()
wall = time.perf_counter() - started
latencies.sort()
q = statistics.quantiles(latencies, n=100)
print(
    "RESULT deliveries=%d seconds=%.2f deliveries_per_s=%.0f p50_ms=%.2f p99_ms=%.2f errors=%d"
    % (len(latencies), wall, len(latencies) / wall, q[49] * 1000, q[98] * 1000, errors)
)
