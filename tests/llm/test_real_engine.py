#!/usr/bin/env python3
"""The assistant against a real inference engine: llama.cpp through
node-llama-cpp's prebuilt CPU binary (tests/llm/node, installed by
tools/install-deps), serving a tiny random-weight GGUF model that
make_tiny_gguf.py writes. The text is gibberish; loading, tokenising,
sampling and streaming are real, and repeatable at temperature 0."""

import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_DIR = os.path.join(HERE, "node")
BINARY = os.environ["QL_BINARY"]
PROMPT = "Which quote number would you like to see? "
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def sse(text):
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


def curl(url, body):
    return subprocess.run(["curl", "-sS", "-N", "-X", "POST", "-d", json.dumps(body), url],
                          capture_output=True, text=True, timeout=120).stdout


def main():
    if not os.path.isdir(os.path.join(NODE_DIR, "node_modules", "node-llama-cpp")):
        print("node-llama-cpp is not installed in tests/llm/node: run tools/install-deps")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "tiny.gguf")
        subprocess.run([sys.executable, os.path.join(HERE, "make_tiny_gguf.py"), model], check=True)
        engine = subprocess.Popen(["node", "llama_server.mjs", model], cwd=NODE_DIR,
                                  stdout=subprocess.PIPE, text=True)
        service = None
        try:
            engine_url = f"http://127.0.0.1:{int(engine.stdout.readline().split()[1])}/v1"
            env = dict(os.environ, OPENAI_BASE_URL=engine_url)
            service = subprocess.Popen([BINARY, "--db", ":memory:", "--serve-chat=127.0.0.1:0"],
                                       stdout=subprocess.PIPE, env=env, text=True)
            base = "http://127.0.0.1:" + re.search(r":(\d+)/", service.stdout.readline()).group(1)
            request = {"messages": [{"role": "user", "content": "how much is in cash?"}],
                       "temperature": 0, "max_tokens": 12}

            first = sse(curl(base + "/chat", request))
            tokens = [data for event, data in first if event == "completion"]
            text = "".join(tokens)
            check(len(tokens) >= 2 and first[-1][0] == "end",
                  f"POST /chat streams the model's tokens ({len(tokens)} events)")
            again = sse(curl(base + "/chat", request))
            check("".join(d for e, d in again if e == "completion") == text,
                  "at temperature 0 the same request streams the same text")
            chunks = [json.loads(d) for _, d in sse(curl(base + "/v1/chat/completions",
                                                         dict(request, stream=True)))
                      if d != "[DONE]"]
            check("".join(c["choices"][0]["delta"].get("content") or "" for c in chunks) == text,
                  "/v1/chat/completions streams the same text in OpenAI's chunks")

            result = subprocess.run([BINARY, "--db", ":memory:", "--line"],
                                    input="ask how much is in cash?\n", capture_output=True,
                                    text=True, env=dict(env, NO_COLOR="1"), timeout=120)
            answer = result.stdout[len(PROMPT):-len(PROMPT)] if result.stdout.count(PROMPT) == 2 \
                else ""
            check(result.returncode == 0 and answer.strip() != "" and result.stderr == "",
                  "ask in the terminal prints the model's answer")
        finally:
            for process in (service, engine):
                if process is not None:
                    process.terminate()
                    process.wait(timeout=30)
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
