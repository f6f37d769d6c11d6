#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""A stand-in for a podman service, for what a real one cannot be made to do on cue.

The suite runs against real podman releases (tests/integration, once per release); this fake
serves only injected faults (streams cut, stalled or garbled, error answers, bodies of any
length) and body shapes no release in the suite sends. It speaks podman's REST API on a Unix
socket: GET /_ping answers 200 "OK" with Libpod-Api-Version, and a pull request
(POST .../libpod/images/pull or .../images/create) answers 200 with a chunked NDJSON body
replayed from a file (tests/fake/bodies: recordings of real releases, and variants derived
from them), one chunk per line as Go's net/http frames podman's writes. Every request line and
its headers are appended to --record as JSON, so a test can check what podpull sent.

    fake-libpod.py --socket PATH --version 6.1.1 --body FILE [--record FILE]
                   [--status 200] [--ready-file FILE] [--inspect-id ID]
                   [--stall-after N]

Faults for tests: --status N answers the pull with status N and --body as a plain JSON body.
Stream faults, each after --fault-after N lines of --body sent as podman sends them
(one chunk per line, the chunk size in lowercase hex, as Go's net/http frames podman's writes):
  --cut mid-chunk     a chunk header promising the next line, half of it, then the connection
                      is closed;
  --cut mid-line      a complete chunk holding the first half of the next line, then closed;
  --cut end-mid-line  that chunk, then the last-chunk "0\r\n\r\n": the body ends cleanly with
                      its last line incomplete;
  --huge-line BYTES   one chunk of BYTES bytes of a line that never ends, written 64 KiB at a
                      time until the client stops reading (a 100 MB line is one chunk on podman
                      too: Go writes a large Write as one chunk);
  --sent-file FILE    where to write how many body bytes the pull got onto the wire (with
                      --long-pull: "SENT TOTAL LINES", see send_long_pull);
  --content-type T    the Content-Type of a --status answer (podman: application/json).
  --long-pull BYTES   --body grown to BYTES by repeating its progress lines (see
                      send_long_pull): far more than any socket buffer holds.
Faults of the service itself:
  --ping-status N     answer GET /_ping with status N and a small HTML page, as a web server
                      that is not podman would (only 200 carries Libpod-Api-Version);
  --docker-ping       answer GET /_ping with 200 and Docker's headers alone, without
                      Libpod-Api-Version, as a Docker daemon's socket does;
  --notify            send READY=1 to $NOTIFY_SOCKET once listening, as podman does for the
                      private service podpull starts (run as its podman_path through a wrapper
                      that passes the socket of its unix:// argument as --socket);
  --stderr-flood BYTES  once listening, write BYTES of podman-like debug lines to stderr, then
                      the line "fake-libpod: stderr flood done".
The server stops on SIGTERM or SIGINT, and when the process that started it dies.
"""
import argparse
import ctypes
import http.server
import json
import os
import signal
import socket
import socketserver
import sys
import threading


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Libpod/fake"
    sys_version = ""

    def address_string(self):  # a Unix socket has no peer address
        return "unix"

    def log_message(self, fmt, *args):
        pass

    def version_string(self):  # send_response's one Server header, the one podman sends
        return f"Libpod/{self.server.options.version} (linux)"

    def record(self):
        if self.server.options.record:
            with open(self.server.options.record, "a", encoding="utf-8") as out:
                out.write(json.dumps({"method": self.command, "target": self.path,
                                      "headers": dict(self.headers.items())}) + "\n")

    def common_headers(self):
        version = self.server.options.version
        self.send_header("Api-Version", "1.41")
        if not self.server.options.docker_ping:
            self.send_header("Libpod-Api-Version", version)

    def do_GET(self):
        self.record()
        if self.path.split("?")[0].endswith("/_ping") and self.server.options.ping_status != 200:
            page = b"<html><body><h1>404 Not Found</h1></body></html>\n"
            self.send_response(self.server.options.ping_status)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return
        if self.path.split("?")[0].endswith("/_ping"):
            self.send_response(200)
            self.common_headers()
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"OK")
            return
        path = self.path.split("?")[0]
        if "/libpod/images/" in path and path.endswith("/json") and self.server.options.inspect_id:
            self.send_json(200, {"Id": self.server.options.inspect_id, "RepoTags": []})
            return
        self.send_json(404, {"cause": "no such image", "message": "no such image",
                             "response": 404})

    def do_POST(self):
        self.record()
        if self.server.options.long_pull:
            return send_long_pull(self)
        with open(self.server.options.body, "rb") as body_file:
            body = body_file.read()
        if self.serve_fault(body):
            return
        if self.server.options.status != 200:
            self.send_response(self.server.options.status)
            self.common_headers()
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.common_headers()
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for number, line in enumerate(body.splitlines(keepends=True)):
            if number == self.server.options.stall_after:
                # A stream that stops without ending: hold the connection until podpull drops it.
                self.connection.recv(1)
                return
            self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # ---- stream faults -------------------------------------------------------------------

    def serve_fault(self, body):
        """Answers the pull with the fault the options ask for; False when they ask for none."""
        options = self.server.options
        if options.status != 200 and options.content_type is not None:
            self.send_response(options.status)
            self.common_headers()
            self.send_header("Content-Type", options.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return True
        if options.cut is None and options.huge_line is None:
            return False
        self.sent = 0
        try:
            self.send_response(200)
            self.common_headers()
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            lines = body.splitlines(keepends=True)
            for line in lines[:options.fault_after]:
                self.send_chunk(line)
            if options.huge_line is not None:
                self.send_huge_line(options.huge_line)
            else:
                self.send_cut(lines[options.fault_after])
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading and closed: what --huge-line waits for
        finally:
            if options.sent_file:
                with open(options.sent_file + ".tmp", "w", encoding="utf-8") as out:
                    out.write(str(self.sent))
                os.rename(options.sent_file + ".tmp", options.sent_file)
        self.close_connection = True
        return True

    def send_chunk(self, data):
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()
        self.sent += len(data)

    def send_cut(self, line):
        half = line[:len(line) // 2]
        if self.server.options.cut == "mid-chunk":
            self.wfile.write(b"%x\r\n%s" % (len(line), half))
            self.wfile.flush()
            self.sent += len(half)
        else:
            self.send_chunk(half)
            if self.server.options.cut == "end-mid-line":
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
                # The body is whole; the client notices the cut line and closes.
                self.connection.recv(1)
                return
        self.connection.shutdown(socket.SHUT_RDWR)

    def send_huge_line(self, size):
        piece = b"x" * (64 * 1024)
        self.wfile.write(b"%x\r\n" % size)
        self.wfile.write(b'{"stream":"')
        self.sent += len(b'{"stream":"')
        while self.sent < size:
            data = piece[:size - self.sent]
            self.wfile.write(data)
            self.sent += len(data)
        self.wfile.write(b"\r\n0\r\n\r\n")
        self.wfile.flush()

    def send_json(self, status, document):
        payload = json.dumps(document).encode()
        self.send_response(status)
        self.common_headers()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

# ---- --long-pull: a pull body far larger than any socket buffer (tests/fake/test_slow_host.cpp)
# A pullProgress body (--body) with its first "Pulling artifact" line repeated,
# `current` rising towards the blob's next recorded figure, until the body holds --long-pull
# bytes; every line keeps the recorded shape byte for byte (compact JSON, same keys, same
# order). After every 64 KiB sent, and at the end, --sent-file holds "SENT TOTAL LINES":
# bytes written to the socket so far (chunk framing included), the whole body's bytes, and its
# number of lines. A client that stops reading stops SENT below TOTAL: sendall blocks once the
# socket buffers (a few hundred KiB) are full.
def long_pull_lines(body, size):
    lines = body.splitlines(keepends=True)
    docs = [json.loads(line) for line in lines]
    first = next(i for i, d in enumerate(docs)
                 if d.get("pullProgress", {}).get("status") == "pulling"
                 and "current" in d["pullProgress"])
    blob = docs[first]["pullProgress"]["progressComponentID"]
    start = docs[first]["pullProgress"]["current"]
    end = next(d["pullProgress"]["current"] for d in docs[first + 1:]
               if d.get("pullProgress", {}).get("progressComponentID") == blob
               and "current" in d["pullProgress"])
    count = max(1, size // len(lines[first]) + 1)
    repeated = []
    for k in range(1, count + 1):
        doc = json.loads(lines[first])
        doc["pullProgress"]["current"] = start + (end - start) * k // (count + 1)
        repeated.append(json.dumps(doc, separators=(",", ":")).encode() + b"\n")
    return lines[:first + 1] + repeated + lines[first + 1:]


def send_long_pull(handler):
    options = handler.server.options
    with open(options.body, "rb") as body_file:
        lines = long_pull_lines(body_file.read(), options.long_pull)
    chunks = [b"%x\r\n%s\r\n" % (len(line), line) for line in lines] + [b"0\r\n\r\n"]
    total = sum(len(chunk) for chunk in chunks)

    def report(sent):
        if options.sent_file:
            with open(options.sent_file + ".tmp", "w", encoding="utf-8") as out:
                out.write(f"{sent} {total} {len(lines)}\n")
            os.replace(options.sent_file + ".tmp", options.sent_file)

    handler.send_response(200)
    handler.common_headers()
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    handler.wfile.flush()
    sent = reported = 0
    report(0)
    for chunk in chunks:
        handler.wfile.write(chunk)
        sent += len(chunk)
        if sent - reported >= 64 * 1024:
            report(sent)
            reported = sent
    handler.wfile.flush()
    report(sent)


def add_long_pull_options(parser):
    parser.add_argument("--long-pull", type=int, default=0,
                        help="serve --body grown to this many bytes (see send_long_pull)")
# ---- end of --long-pull


# ---- faults of the service itself

def notify_ready():
    """READY=1 to $NOTIFY_SOCKET, as podman's service sends it (sd_notify)."""
    target = os.environ["NOTIFY_SOCKET"]
    if target.startswith("@"):
        target = "\0" + target[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.sendto(b"READY=1", target)


def flood_stderr(size):
    """`size` bytes of lines shaped like podman's debug output on stderr, then a last line."""
    written = number = 0
    while written < size:
        line = (f'time="2026-12-02T10:00:00.{number % 1000000:06d}Z" level=debug '
                f'msg="fake-libpod flood line {number}: \x1b[2mGET /v6.1.1/libpod/_ping\x1b[0m"\n')
        data = line.encode()[:size - written]
        sys.stderr.buffer.write(data)
        written += len(data)
        number += 1
    sys.stderr.buffer.write(b"\nfake-libpod: stderr flood done\n")
    sys.stderr.buffer.flush()


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # podpull closes the connection once it has what it needs; that is not an error.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--socket", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--body", required=True)
    parser.add_argument("--record")
    parser.add_argument("--status", type=int, default=200)
    parser.add_argument("--ready-file", help="written once the socket listens")
    parser.add_argument("--stall-after", type=int, default=-1,
                        help="send this many lines, then nothing more")
    parser.add_argument("--inspect-id", help="the Id that GET .../libpod/images/<ref>/json answers")
    # Stream faults: see the module's docstring.
    parser.add_argument("--fault-after", type=int, default=3,
                        help="lines of --body sent before the fault")
    parser.add_argument("--cut", choices=["mid-chunk", "mid-line", "end-mid-line"])
    parser.add_argument("--huge-line", type=int, metavar="BYTES")
    # Shared with --long-pull, which writes "SENT TOTAL LINES" there instead (send_long_pull).
    parser.add_argument("--sent-file", help="written with the body bytes sent, once done")
    parser.add_argument("--content-type", help="Content-Type of a --status answer")
    parser.add_argument("--ping-status", type=int, default=200,
                        help="the status of GET /_ping (not 200: a server that is not podman)")
    parser.add_argument("--docker-ping", action="store_true",
                        help="answer GET /_ping without Libpod-Api-Version (a Docker daemon)")
    parser.add_argument("--notify", action="store_true",
                        help="send READY=1 to $NOTIFY_SOCKET once listening")
    parser.add_argument("--stderr-flood", type=int, default=0, metavar="BYTES",
                        help="write this much to stderr once listening")
    add_long_pull_options(parser)
    options = parser.parse_args()

    # Die with the test that started us, even when it is killed or aborts (a sanitizer
    # report) before it can stop us: PR_SET_PDEATHSIG (1) with SIGTERM.
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:
        sys.exit(0)

    if os.path.exists(options.socket):
        os.unlink(options.socket)
    server = Server(options.socket, Handler)
    server.options = options
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if options.ready_file:
        with open(options.ready_file, "w", encoding="utf-8") as ready:
            ready.write(str(os.getpid()))
    if options.notify:
        notify_ready()
    if options.stderr_flood:
        # A thread of its own: the socket answers while stderr is written, and waits on it.
        threading.Thread(target=flood_stderr, args=(options.stderr_flood,), daemon=True).start()
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()
        if os.path.exists(options.socket):
            os.unlink(options.socket)


if __name__ == "__main__":
    main()
