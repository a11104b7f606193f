#!/usr/bin/env python
# SPDX-License-Identifier: GPL-3.0-or-later
"""A small fake LLM provider for local use and tests (standard library only, loopback only).

One process is one upstream. It answers, in the shape the real APIs use:

* OpenAI chat completions   POST .../chat/completions              (Authorization: Bearer <key>; stream supported)
* Anthropic messages        POST .../v1/messages                   (x-api-key)
* Gemini generateContent    POST .../models/<model>:generateContent (x-goog-api-key; :streamGenerateContent?alt=sse)

Every reply is tagged with the upstream's name, in the text (``[<name>] ...``) and in the ``x-fake-upstream``
header, so a caller behind a gateway can tell which upstream answered. Control and inspection endpoints:

* GET  /__stats    {"name", "hits", "failed_hits", "by_protocol", "key_sha256", "fail_status", "latency_ms"}
                   (``key_sha256`` is the SHA-256 of the last credential received: never the credential itself)
* POST /__control  {"fail_status": 500|null, "latency_ms": 0, "reset": true}: fail every completion with that status,
                   add latency, reset the counters
* GET  /health     {"status": "ok"}

Used by roles/litellm_gateway as the stand-in for models without a provider key, and by the tests and the
benchmark as the fake provider endpoints.
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import json
import re
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GEMINI_PATH = re.compile(r"/models/(?P<model>[^/:]+):(?P<method>generateContent|streamGenerateContent)$")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class State(object):
    def __init__(self, name, fail_status=None, latency_ms=0):
        self.lock = threading.Lock()
        self.name = name
        self.fail_status = fail_status
        self.latency_ms = latency_ms
        self.reset()

    def reset(self):
        self.hits = 0
        self.failed_hits = 0
        self.by_protocol = {}
        self.key_sha256 = None

    def snapshot(self):
        with self.lock:
            return dict(
                name=self.name,
                hits=self.hits,
                failed_hits=self.failed_hits,
                by_protocol=dict(self.by_protocol),
                key_sha256=self.key_sha256,
                fail_status=self.fail_status,
                latency_ms=self.latency_ms,
            )


def count_tokens(text):
    return max(1, len(text.split()))


def flatten(content):
    """Text of an OpenAI/Anthropic content value (a string or a list of parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


class Handler(BaseHTTPRequestHandler):
    server_version = "mock-llm/1"
    protocol_version = "HTTP/1.1"
    # headers and body go out in separate writes: without TCP_NODELAY the client's delayed ACK adds ~40 ms
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):  # quiet: one line per request would swamp the logs and the benchmark
        if self.server.verbose:
            sys.stderr.write("%s %s\n" % (self.server.state.name, fmt % args))

    # -- plumbing --------------------------------------------------------------------------------------
    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return None

    def send_json(self, status, payload, extra_headers=None):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-fake-upstream", self.server.state.name)
        for key, value in (extra_headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def send_sse(self, events):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("x-fake-upstream", self.server.state.name)
        self.send_header("Connection", "close")
        self.end_headers()
        for event in events:
            self.wfile.write(event.encode())
            self.wfile.flush()
        self.close_connection = True

    def credential(self):
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        return self.headers.get("x-api-key") or self.headers.get("x-goog-api-key") or ""

    def admit(self, protocol):
        """Count the hit; apply the configured latency and failure. Returns False when the request was failed."""
        state = self.server.state
        with state.lock:
            state.hits += 1
            state.by_protocol[protocol] = state.by_protocol.get(protocol, 0) + 1
            key = self.credential()
            state.key_sha256 = hashlib.sha256(key.encode()).hexdigest() if key else None
            fail_status, latency_ms = state.fail_status, state.latency_ms
            if fail_status:
                state.failed_hits += 1
        if latency_ms:
            time.sleep(latency_ms / 1000.0)
        if fail_status:
            self.send_json(
                fail_status,
                {
                    "error": {
                        "message": "%s: injected failure %d" % (state.name, fail_status),
                        "type": "server_error",
                        "code": str(fail_status),
                    }
                },
            )
            return False
        return True

    def reply_text(self, prompt):
        return "[%s] %s" % (self.server.state.name, self.server.reply or ("echo: " + prompt[:200]))

    # -- routes ------------------------------------------------------------------------------------------
    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/health":
            return self.send_json(200, {"status": "ok", "name": self.server.state.name})
        if path == "/__stats":
            return self.send_json(200, self.server.state.snapshot())
        if path.endswith("/models"):
            return self.send_json(200, {"object": "list", "data": [{"id": self.server.state.name, "object": "model"}]})
        return self.send_json(404, {"error": {"message": "no route %s" % path}})

    def do_POST(self):
        path = self.path.split("?", 1)[0]
        body = self.body()
        if body is None:
            return self.send_json(400, {"error": {"message": "request body is not JSON"}})
        if path == "/__control":
            return self.control(body)
        if path.endswith("/chat/completions"):
            return self.openai(body)
        if path.endswith("/v1/messages") or path == "/messages":
            return self.anthropic(body)
        match = GEMINI_PATH.search(path)
        if match:
            return self.gemini(body, match.group("model"), match.group("method") == "streamGenerateContent")
        return self.send_json(404, {"error": {"message": "no route %s" % path}})

    def control(self, body):
        state = self.server.state
        with state.lock:
            if body.get("reset"):
                state.reset()
            if "fail_status" in body:
                state.fail_status = body["fail_status"] or None
            if "latency_ms" in body:
                state.latency_ms = int(body["latency_ms"] or 0)
        return self.send_json(200, state.snapshot())

    def openai(self, body):
        if not self.admit("openai"):
            return None
        prompt = " ".join(flatten(m.get("content")) for m in body.get("messages", []) if isinstance(m, dict))
        text = self.reply_text(prompt)
        model = body.get("model") or self.server.state.name
        cid, created = "chatcmpl-" + uuid.uuid4().hex, int(time.time())
        usage = {"prompt_tokens": count_tokens(prompt), "completion_tokens": count_tokens(text)}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        if body.get("stream"):
            chunk = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model}
            events = [
                dict(
                    chunk, choices=[{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]
                ),
                dict(chunk, choices=[{"index": 0, "delta": {"content": text}, "finish_reason": None}]),
                dict(chunk, choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}], usage=usage),
            ]
            return self.send_sse(["data: %s\n\n" % json.dumps(e) for e in events] + ["data: [DONE]\n\n"])
        return self.send_json(
            200,
            {
                "id": cid,
                "object": "chat.completion",
                "created": created,
                "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": usage,
            },
        )

    def anthropic(self, body):
        if not self.admit("anthropic"):
            return None
        prompt = " ".join(flatten(m.get("content")) for m in body.get("messages", []) if isinstance(m, dict))
        text = self.reply_text(prompt)
        mid, model = "msg_" + uuid.uuid4().hex, body.get("model") or self.server.state.name
        usage = {"input_tokens": count_tokens(prompt), "output_tokens": count_tokens(text)}
        if body.get("stream"):
            message = {
                "id": mid,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [],
                "stop_reason": None,
                "stop_sequence": None,
                "usage": dict(usage, output_tokens=0),
            }
            events = [
                ("message_start", {"type": "message_start", "message": message}),
                (
                    "content_block_start",
                    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
                ),
                (
                    "content_block_delta",
                    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}},
                ),
                ("content_block_stop", {"type": "content_block_stop", "index": 0}),
                (
                    "message_delta",
                    {
                        "type": "message_delta",
                        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                        "usage": {"output_tokens": usage["output_tokens"]},
                    },
                ),
                ("message_stop", {"type": "message_stop"}),
            ]
            return self.send_sse(["event: %s\ndata: %s\n\n" % (name, json.dumps(data)) for name, data in events])
        return self.send_json(
            200,
            {
                "id": mid,
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [{"type": "text", "text": text}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": usage,
            },
        )

    def gemini(self, body, model, stream):
        if not self.admit("gemini"):
            return None
        prompt = " ".join(
            p.get("text", "") for c in body.get("contents", []) for p in c.get("parts", []) if isinstance(p, dict)
        )
        text = self.reply_text(prompt)
        payload = {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}
            ],
            "usageMetadata": {
                "promptTokenCount": count_tokens(prompt),
                "candidatesTokenCount": count_tokens(text),
                "totalTokenCount": count_tokens(prompt) + count_tokens(text),
            },
            "modelVersion": model,
        }
        if stream:
            return self.send_sse(["data: %s\n\n" % json.dumps(payload)])
        return self.send_json(200, payload)


def build_server(
    name, port, host="127.0.0.1", fail_status=None, latency_ms=0, reply=None, verbose=False, bind_timeout=10.0
):
    if host not in LOOPBACK:
        raise ValueError("mock_llm listens on loopback only, not %r" % host)
    # The port may be held for a moment by a client socket that got it as its ephemeral port: retry briefly.
    deadline = time.time() + bind_timeout
    while True:
        try:
            server = ThreadingHTTPServer((host, port), Handler)
            break
        except OSError as e:
            if e.errno != errno.EADDRINUSE or time.time() >= deadline:
                raise
            time.sleep(0.25)
    server.daemon_threads = True
    server.state = State(name, fail_status=fail_status, latency_ms=latency_ms)
    server.reply = reply
    server.verbose = verbose
    return server


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--name", required=True, help="upstream name used to tag replies")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1", choices=LOOPBACK)
    parser.add_argument("--fail-status", type=int, default=None, help="fail every completion with this HTTP status")
    parser.add_argument("--latency-ms", type=int, default=0, help="added latency per completion")
    parser.add_argument("--reply", default=None, help="fixed reply text (default: echo the prompt)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    server = build_server(args.name, args.port, args.host, args.fail_status, args.latency_ms, args.reply, args.verbose)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
