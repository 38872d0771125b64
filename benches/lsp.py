#!/usr/bin/env python3
"""Latency of `fleetc lsp` on one spec, driven over stdio as an editor drives it.

    benches/lsp.py FLEETC SPEC [EDITS]

Opens SPEC, then makes EDITS edits (a number in the spec changed back and forth), each time
waiting for the diagnostics of that version, then asks for a hover and a completion. Prints one
Markdown row: time to the first diagnostics after opening, an edit's diagnostics after the
server's 200 ms debounce (median, min-max), hover and completion (median). A benchmark, not a
test: it asserts nothing about times.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import time

DEBOUNCE = 0.2


class Client:
    def __init__(self, binary, cwd):
        self.proc = subprocess.Popen(
            [binary, "lsp"], cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL)
        self.next = 0

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def read(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit("bench: the server closed its output")
            line = line.strip()
            if not line:
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        return json.loads(self.proc.stdout.read(length))

    def request(self, method, params):
        self.next += 1
        self.send({"jsonrpc": "2.0", "id": self.next, "method": method, "params": params})
        while True:
            msg = self.read()
            if msg.get("id") == self.next and "method" not in msg:
                return msg

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def diagnostics(self, version):
        while True:
            msg = self.read()
            if (msg.get("method") == "textDocument/publishDiagnostics"
                    and msg["params"].get("version") == version):
                return msg["params"]["diagnostics"]


def main():
    binary, spec = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    edits = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    text = open(spec, encoding="utf-8").read()
    uri = "file://" + spec
    c = Client(binary, os.path.dirname(spec))
    c.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    c.notify("initialized", {})
    start = time.monotonic()
    c.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "yaml", "version": 1, "text": text}})
    c.diagnostics(1)
    opened = time.monotonic() - start
    number = re.search(r"(replicas: )(\d+)", text)
    if not number:
        raise SystemExit("bench: the spec has no `replicas:` to edit")
    latencies = []
    for v in range(2, edits + 2):
        n = int(number.group(2)) + (v % 2)
        edited = text[:number.start(2)] + str(n) + text[number.end(2):]
        start = time.monotonic()
        c.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": edited}]})
        c.diagnostics(v)
        latencies.append(time.monotonic() - start - DEBOUNCE)
    at = text[:number.start(2)].count("\n")
    position = {"line": at, "character": 4}
    # The first cluster's name (block or flow style), to hover on.
    name = re.search(r"name: ([\w.-]+)(?:,\s*|\n\s+)environment:", text)
    if not name:
        raise SystemExit("bench: the spec declares no cluster to hover on")
    hover, complete = [], []
    for _ in range(5):
        start = time.monotonic()
        c.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {
            "line": text[:name.start(1)].count("\n"),
            "character": name.start(1) - text.rfind("\n", 0, name.start(1)) - 1}})
        hover.append(time.monotonic() - start)
        start = time.monotonic()
        c.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": position})
        complete.append(time.monotonic() - start)
    c.request("shutdown", None)
    c.notify("exit", None)
    c.proc.wait()
    ms = lambda s: "%.0f" % (s * 1000)
    print("| %s KiB | %s | %s (%s-%s) | %s | %s |" % (
        len(text) // 1024, ms(opened), ms(statistics.median(latencies)), ms(min(latencies)),
        ms(max(latencies)), ms(statistics.median(hover)), ms(statistics.median(complete))))


if __name__ == "__main__":
    main()
