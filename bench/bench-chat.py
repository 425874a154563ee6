#!/usr/bin/python3
# bench-chat.py: what quote-ledger --serve-chat adds over calling the
# language model service directly, measured in one run against the same
# scripted upstream (tests/chat/scripted_upstream.py, which streams
# numbered tokens at a fixed pace: a stand-in for a model, so that only
# the service's own cost differs between the two paths).
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   /usr/bin/python3 bench/bench-chat.py BUILD/src/quote-ledger [RUNS]
#
# Figures, one JSON object per line:
#   ttft_added_ms  median time to first token through the service minus
#                  the median straight from the upstream
#   tokens_per_s   median streaming rate of each path, and their ratio
#   concurrent     50 streams through the service at once: how many ended
#                  complete, how many failed
# Everything listens on 127.0.0.1.

import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
UPSTREAM = os.path.join(os.path.dirname(HERE), "tests", "chat", "scripted_upstream.py")
TOKENS = 200
GAP_MS = 1
CONCURRENT = 50


def stream(port, path, question):
    """(seconds to the first token, tokens, seconds from first to last)"""
    body = json.dumps({"model": "bench", "stream": True,
                       "messages": [{"role": "user", "content": question}]})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    start = time.perf_counter()
    connection.request("POST", path, body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}")
    first = last = None
    tokens = 0
    done = False
    for raw in response:
        line = raw.decode().strip()
        if not line.startswith("data: "):
            continue
        data = line[6:]
        if data == "[DONE]":
            done = True
            break
        content = json.loads(data)["choices"][0]["delta"].get("content")
        if content:
            last = time.perf_counter()
            first = first or last
            tokens += 1
    connection.close()
    if not done:
        raise RuntimeError("stream ended without [DONE]")
    return first - start, tokens, last - first


def main():
    binary = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    upstream = subprocess.Popen([sys.executable, UPSTREAM], stdout=subprocess.PIPE, text=True)
    upstream_port = int(upstream.stdout.readline().split()[1])
    env = dict(os.environ, OPENAI_BASE_URL=f"http://127.0.0.1:{upstream_port}/v1")
    service = subprocess.Popen([binary, "--db", ":memory:", "--serve-chat=127.0.0.1:0"],
                               stdout=subprocess.PIPE, env=env, text=True)
    service_port = int(re.search(r":(\d+)/", service.stdout.readline()).group(1))
    question = f"count {TOKENS} {GAP_MS}"
    try:
        for port in (upstream_port, service_port):
            stream(port, "/v1/chat/completions", "warm up")
        direct, served = [], []
        for _ in range(runs):
            direct.append(stream(upstream_port, "/v1/chat/completions", question))
            served.append(stream(service_port, "/v1/chat/completions", question))
        ttft_direct = statistics.median(d[0] for d in direct) * 1000
        ttft_served = statistics.median(s[0] for s in served) * 1000
        rate_direct = statistics.median((d[1] - 1) / d[2] for d in direct)
        rate_served = statistics.median((s[1] - 1) / s[2] for s in served)
        print(json.dumps({"figure": "ttft_added_ms", "runs": runs,
                          "direct_ms": round(ttft_direct, 3), "service_ms": round(ttft_served, 3),
                          "added_ms": round(ttft_served - ttft_direct, 3)}))
        print(json.dumps({"figure": "tokens_per_s", "tokens": TOKENS, "gap_ms": GAP_MS,
                          "direct": round(rate_direct, 1), "service": round(rate_served, 1),
                          "ratio": round(rate_served / rate_direct, 3)}))

        def one(_):
            try:
                tokens = stream(service_port, "/v1/chat/completions", question)[1]
                return None if tokens == TOKENS else f"{tokens} tokens"
            except (OSError, RuntimeError, ValueError) as error:
                return str(error)

        with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
            errors = [e for e in pool.map(one, range(CONCURRENT)) if e is not None]
        print(json.dumps({"figure": "concurrent", "streams": CONCURRENT,
                          "complete": CONCURRENT - len(errors), "failed": len(errors),
                          "errors": sorted(set(errors))}))
    finally:
        service.terminate()
        service.wait(timeout=10)
        upstream.terminate()
        upstream.wait(timeout=10)


if __name__ == "__main__":
    main()
