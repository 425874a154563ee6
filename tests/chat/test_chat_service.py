#!/usr/bin/env python3
"""The chat service (quote-ledger --serve-chat) driven by real clients.

curl -N, OpenAI's npm SDK and an npm WebSocket client talk to the
service, which talks to scripted_upstream.py, a scripted stand-in for a
language model service (named so: its replies are fixed by the question).
"""

import concurrent.futures
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
BINARY = os.environ["QL_BINARY"]
NODE_DIR = os.path.join(HERE, "node")
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def start_upstream():
    process = subprocess.Popen([sys.executable, os.path.join(HERE, "scripted_upstream.py")],
                               stdout=subprocess.PIPE, text=True)
    port = int(process.stdout.readline().split()[1])
    return process, f"http://127.0.0.1:{port}"


def start_service(upstream_url, timeout="3"):
    env = dict(os.environ, OPENAI_BASE_URL=upstream_url + "/v1", OPENAI_API_KEY="sk-never-shown",
               QL_LLM_TIMEOUT=timeout)
    process = subprocess.Popen([BINARY, "--db", ":memory:", "--serve-chat=127.0.0.1:0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if match is None:
        raise RuntimeError("no address in: " + line + process.stderr.read())
    check("sk-never-shown" not in line, "the key is not shown when the service starts")
    return process, f"http://127.0.0.1:{match.group(1)}"


def curl(*args, timeout=20):
    result = subprocess.run(["curl", "-sS", "-N", *args], capture_output=True, text=True,
                            timeout=timeout)
    return result.stdout


def post_chat(base, body, *extra):
    return curl("-X", "POST", "-H", "Content-Type: application/json", "-d", json.dumps(body),
                *extra, base + "/chat")


def events(text):
    """The (event, data) pairs of an SSE stream."""
    found = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        event, data = None, []
        for line in block.split("\n"):
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data.append(line[6:])
        if event is not None or data:
            found.append((event, "\n".join(data)))
    return found


def upstream_log(upstream):
    with urllib.request.urlopen(upstream + "/scripted/log") as response:
        return json.load(response)


def node(script, *args):
    result = subprocess.run(["node", os.path.join(NODE_DIR, script), *args], capture_output=True,
                            text=True, timeout=60, cwd=NODE_DIR)
    return result.stdout.splitlines()


def test_lanarky_stream(base):
    raw = curl("-i", "-X", "POST", "-d", json.dumps({"query": "hello there"}), base + "/chat")
    head, _, body = raw.replace("\r\n", "\n").partition("\n\n")
    check(re.search(r"(?im)^content-type: text/event-stream", head) is not None,
          "POST /chat answers text/event-stream")
    got = events(body)
    tokens = "".join(data for event, data in got if event == "completion")
    check(tokens == "Scripted reply to: hello there ", "POST /chat streams completion events")
    check(got[-1][0] == "end", "POST /chat ends with an end event")


def test_openai_messages_and_tools(base):
    body = {"stream": True, "messages": [{"role": "user", "content": "tool list_ledgers {}"}]}
    out = curl("-X", "POST", "-d", json.dumps(body), base + "/v1/chat/completions")
    chunks = [json.loads(data) for _, data in events(out) if data != "[DONE]"]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    check(text == 'Tool said: {"ledgers":[]}', "/v1 streams a reply that used a lookup")
    check(chunks[-1]["choices"][0]["finish_reason"] == "stop", "/v1 ends with finish_reason stop")
    check(events(out)[-1][1] == "[DONE]", "/v1 ends with [DONE]")
    whole = json.loads(curl("-X", "POST", "-d", json.dumps({"messages": [
        {"role": "user", "content": "at once"}]}), base + "/v1/chat/completions"))
    check(whole["choices"][0]["message"]["content"] == "Scripted reply to: at once ",
          "/v1 without stream answers one chat.completion")


def test_errors(base, upstream):
    got = events(post_chat(base, {"query": "fail-mid"}))
    check([e for e, _ in got] == ["completion", "completion", "error"],
          "an upstream failure mid-stream is an error event after the tokens")
    check(json.loads(got[-1][1])["detail"].endswith("scripted error mid-stream"),
          "the error event says what failed")
    out = curl("-X", "POST", "-w", "\n%{http_code}", "-d",
               json.dumps({"messages": [{"role": "user", "content": "status-500"}]}),
               base + "/v1/chat/completions")
    body, _, status = out.rpartition("\n")
    check(status == "502" and "scripted failure" in json.loads(body)["error"]["message"],
          "an upstream HTTP error before any token is a 502 with OpenAI's error shape")
    out = curl("-X", "POST", "-w", "\n%{http_code}", "-d", "not json", base + "/chat")
    check(out.endswith("\n400"), "a body that is not JSON is a 400")
    got = events(post_chat(base, {"query": "stall"}))
    check(got[-1][0] == "error" and json.loads(got[-1][1])["status_code"] == 504,
          "an upstream that stops sending times out as an error event")
    check(upstream_log(upstream)["authorization"] == "Bearer sk-never-shown",
          "the key reaches the upstream as a bearer token")


def test_disconnect_cancels(base, upstream):
    before = upstream_log(upstream)["disconnects"]
    curl("--max-time", "1", "-X", "POST", "-d", json.dumps({"query": "slow"}), base + "/chat")
    deadline = time.monotonic() + 5
    while upstream_log(upstream)["disconnects"] == before and time.monotonic() < deadline:
        time.sleep(0.1)
    check(upstream_log(upstream)["disconnects"] == before + 1,
          "a client that disconnects cancels the upstream request")


def test_many_at_once(base):
    def one(i):
        return events(post_chat(base, {"query": f"number {i}"}))

    with concurrent.futures.ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(one, range(50)))
    good = sum(1 for i, got in enumerate(results)
               if "".join(d for e, d in got if e == "completion") == f"Scripted reply to: number {i} "
               and got[-1][0] == "end")
    check(good == 50, f"50 chats at once all stream their own reply ({good}/50)")


def test_clients(base):
    lines = node("openai_client.mjs", base + "/v1", "hello sdk")
    check("".join(json.loads(l) for l in lines[:-1]) == "Scripted reply to: hello sdk "
          and lines[-1] == "END", "OpenAI's SDK streams from /v1")
    lines = node("openai_client.mjs", base + "/v1", "fail-mid")
    check(lines[-1].startswith("ERROR") and "scripted error mid-stream" in lines[-1],
          "OpenAI's SDK raises the error sent mid-stream")
    ws = base.replace("http://", "ws://") + "/ws"
    lines = node("ws_client.mjs", ws, json.dumps({"query": "first"}), "second")
    got = [json.loads(l) for l in lines[:-1]]
    check([m["event"] for m in got].count("end") == 2 and lines[-1] == "CLOSED",
          "the WebSocket route answers two questions on one connection")
    check("".join(m["data"] for m in got if m["event"] == "completion")
          == "Scripted reply to: first Scripted reply to: second ",
          "the WebSocket route streams completion messages")
    # The second question was asked in the conversation the socket keeps.


def test_backend_down():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    service, base = start_service(f"http://127.0.0.1:{port}")
    try:
        got = events(post_chat(base, {"query": "anyone?"}))
        check(got and got[-1][0] == "error" and "Cannot reach" in got[-1][1],
              "an upstream that is down is a clear error event")
        out = curl("-X", "POST", "-w", "\n%{http_code}", "-d",
                   json.dumps({"messages": [{"role": "user", "content": "x"}]}),
                   base + "/v1/chat/completions")
        check(out.endswith("\n502") and "upstream_unavailable" in out,
              "/v1 answers 502 upstream_unavailable when the upstream is down")
        health = json.loads(curl(base + "/health"))
        check(health["status"] == "ok" and service.poll() is None,
              "the service stays up when the upstream is down")
    finally:
        service.terminate()
        _, err = service.communicate(timeout=10)
        check("sk-never-shown" not in err, "the key is never logged")
        check(service.returncode == 0, "the service ends cleanly on SIGTERM")


def main():
    upstream, upstream_url = start_upstream()
    service, base = start_service(upstream_url)
    try:
        check(json.loads(curl(base + "/health"))["status"] == "ok", "GET /health answers ok")
        test_lanarky_stream(base)
        test_openai_messages_and_tools(base)
        test_errors(base, upstream_url)
        test_disconnect_cancels(base, upstream_url)
        test_many_at_once(base)
        test_clients(base)
        check(service.poll() is None, "the service is still up after all that")
    finally:
        service.terminate()
        service.communicate(timeout=10)
        upstream.terminate()
        upstream.wait(timeout=10)
    test_backend_down()
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
