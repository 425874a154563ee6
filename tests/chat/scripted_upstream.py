#!/usr/bin/env python3
"""A scripted OpenAI-compatible upstream for the chat service's tests.

Not a language model: what it streams is decided by the last user
message, so that tool calls and failure paths can be tested exactly.

  (anything else)      streams "Scripted reply to: QUESTION" word by word
  tool NAME JSON       asks for tool NAME with arguments JSON, then, once
                       the tool's answer is in the conversation, streams
                       "Tool said: ANSWER"
  fail-mid             streams two tokens, then an error event
  slow                 streams one token, then nothing for 30 s (pinging
                       with SSE comments, to notice a disconnect)
  stall                streams one token, then sends nothing for 30 s
  count N MS           streams N tokens "tokI ", MS milliseconds apart
  status-500           answers HTTP 500 with an OpenAI error body

GET /scripted/log answers what it saw: requests, disconnects, the last
request body. Prints "PORT N" once listening.

Usage: scripted_upstream.py [PORT]
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = {"requests": 0, "disconnects": 0, "last": None}
LOCK = threading.Lock()


def chunk(content=None, tool_calls=None, finish=None):
    delta = {}
    if content is not None:
        delta["content"] = content
    if tool_calls is not None:
        delta["tool_calls"] = tool_calls
    return {"id": "scripted", "object": "chat.completion.chunk", "model": "scripted",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send_json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        with LOCK:
            self.send_json(200, LOG)

    def event(self, data, event=None):
        text = (f"event: {event}\n" if event else "") + f"data: {data}\n\n"
        self.raw(text.encode())

    def raw(self, payload):
        self.wfile.write(f"{len(payload):x}\r\n".encode() + payload + b"\r\n")
        self.wfile.flush()

    def end(self):
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with LOCK:
            LOG["requests"] += 1
            LOG["last"] = body
            LOG["authorization"] = self.headers.get("Authorization")
        messages = body["messages"]
        users = [m for m in messages if m["role"] == "user"]
        question = users[-1]["content"] if users else ""
        tools = [m for m in messages if m["role"] == "tool"]
        if question == "status-500":
            self.send_json(500, {"error": {"message": "scripted failure", "type": "server_error"}})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            self.stream(question, tools)
        except (BrokenPipeError, ConnectionResetError):
            with LOCK:
                LOG["disconnects"] += 1

    def stream(self, question, tools):
        if question.startswith("tool ") and not tools:
            _, name, arguments = question.split(" ", 2)
            half = len(arguments) // 2
            self.event(json.dumps(chunk(tool_calls=[{"index": 0, "id": "call-1", "type": "function",
                                                     "function": {"name": name,
                                                                  "arguments": arguments[:half]}}])))
            self.event(json.dumps(chunk(tool_calls=[{"index": 0,
                                                     "function": {"arguments": arguments[half:]}}])))
            self.event(json.dumps(chunk(finish="tool_calls")))
        elif question.startswith("tool "):
            for word in ["Tool ", "said: ", tools[-1]["content"]]:
                self.event(json.dumps(chunk(content=word)))
            self.event(json.dumps(chunk(finish="stop")))
        elif question == "fail-mid":
            self.event(json.dumps(chunk(content="Half ")))
            self.event(json.dumps(chunk(content="way ")))
            self.event(json.dumps({"error": {"message": "scripted error mid-stream"}}), "error")
            self.end()
            return
        elif question.startswith("count "):
            _, count, gap = question.split()
            for i in range(int(count)):
                if i > 0 and float(gap) > 0:
                    time.sleep(float(gap) / 1000)
                self.event(json.dumps(chunk(content=f"tok{i} ")))
            self.event(json.dumps(chunk(finish="stop")))
        elif question == "stall":
            self.event(json.dumps(chunk(content="Stalled ")))
            time.sleep(30)
        elif question == "slow":
            self.event(json.dumps(chunk(content="Slow ")))
            for _ in range(300):
                time.sleep(0.1)
                self.raw(b": ping\n\n")
        else:
            for word in f"Scripted reply to: {question}".split(" "):
                self.event(json.dumps(chunk(content=word + " ")))
            self.event(json.dumps(chunk(finish="stop")))
        self.event("[DONE]")
        self.end()


class Server(ThreadingHTTPServer):
    # Fifty clients at once, not the default five pending connections.
    request_queue_size = 256
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that hangs up between requests is no failure here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = Server(("127.0.0.1", port), Handler)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
