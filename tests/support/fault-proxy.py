#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""fault-proxy.py PORT_FILE UPSTREAM_HOST:PORT LOG_FILE [options]

An HTTP/1.1 front of a plain-HTTP registry on 127.0.0.1 (a free port, written to PORT_FILE
once it listens) that answers some blob GETs with a registry error instead of relaying them,
and relays everything else. The fault tests use it for what a throttled or overloaded
registry does: 503 Service Unavailable, or 429 Too Many Requests with a short Retry-After
(containers/image sleeps for Retry-After before each of its own 429 retries, so a long one
would make podman, not podpull, the thing a test measures).

Options:
  --status CODE      what a failed GET gets: 503 (default) or 429, with the registry error
                     body registries send for them (UNAVAILABLE, TOOMANYREQUESTS)
  --fail N           how many blob GETs fail; -1: every one (default 1)
  --min-bytes B      only blobs of at least B bytes fail (default 0: any blob); a test picks
                     the one large layer of an image this way, so the others are stored
  --retry-after S    the Retry-After header of a 429 (default 0)
  --delay-ms MS      wait this long before relaying a blob GET that does not fail (default 0)

LOG_FILE gets one line per request, flushed as it is answered: "GET <path> <status> <bytes>",
where an injected failure's status is written "<code>-injected". Standard library only;
stopped with SIGTERM or SIGKILL.
"""

import argparse
import http.client
import http.server
import json
import os
import re
import threading
import time

CHUNK = 64 * 1024
BLOB_PATH = re.compile(r"^/v2/.+/blobs/sha256:[0-9a-f]{64}$")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}

ERROR_BODIES = {
    503: {"code": "UNAVAILABLE", "message": "service unavailable"},
    429: {
        "code": "TOOMANYREQUESTS",
        "message": "You have reached your pull rate limit. You may increase the limit by "
        "authenticating and upgrading",
    },
}
REASONS = {503: "Service Unavailable", 429: "Too Many Requests"}


def parse_args():
    p = argparse.ArgumentParser(usage=__doc__)
    p.add_argument("port_file")
    p.add_argument("upstream")
    p.add_argument("log_file")
    p.add_argument("--status", type=int, default=503, choices=sorted(ERROR_BODIES))
    p.add_argument("--fail", type=int, default=1)
    p.add_argument("--min-bytes", type=int, default=0)
    p.add_argument("--retry-after", type=int, default=0)
    p.add_argument("--delay-ms", type=int, default=0)
    return p.parse_args()


ARGS = parse_args()
UP_HOST, UP_PORT = ARGS.upstream.rsplit(":", 1)
LOCK = threading.Lock()
LOG = open(ARGS.log_file, "a", buffering=1)
failures_left = ARGS.fail


def take_failure():
    """Whether this blob GET is one that fails (counted under the lock)."""
    global failures_left
    with LOCK:
        if failures_left == 0:
            return False
        if failures_left > 0:
            failures_left -= 1
        return True


def log(line):
    with LOCK:
        LOG.write(line + "\n")


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # the LOG_FILE lines are the log
        pass

    def relay(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        up = http.client.HTTPConnection(UP_HOST, int(UP_PORT), timeout=60)
        try:
            # Header by header: a client sends Accept several times (one per manifest type).
            up.putrequest(method, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in self.headers.items():
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                    up.putheader(k, v)
            if body:
                up.putheader("Content-Length", str(len(body)))
            up.endheaders(body)
            res = up.getresponse()
            size = int(res.getheader("Content-Length") or -1)
            is_blob = method == "GET" and res.status == 200 and BLOB_PATH.match(self.path)
            if is_blob and size >= ARGS.min_bytes and take_failure():
                self.fail(ARGS.status)
                return
            if is_blob and ARGS.delay_ms > 0:
                time.sleep(ARGS.delay_ms / 1000)
            self.send_response(res.status, res.reason)
            for k, v in res.getheaders():
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            chunked = size < 0 and method != "HEAD" and res.status not in (204, 304)
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            elif size >= 0:
                self.send_header("Content-Length", str(size))
            self.end_headers()
            sent = 0
            while method != "HEAD":
                data = res.read(CHUNK)
                if not data:
                    break
                sent += len(data)
                if chunked:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                else:
                    self.wfile.write(data)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
            log(f"{method} {self.path} {res.status} {sent}")
        finally:
            up.close()

    def fail(self, status):
        body = json.dumps({"errors": [dict(ERROR_BODIES[status], detail=None)]}).encode()
        self.send_response(status, REASONS[status])
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        if status == 429:
            self.send_header("Retry-After", str(ARGS.retry_after))
        self.end_headers()
        self.wfile.write(body)
        log(f"GET {self.path} {status}-injected 0")

    def do_GET(self):
        self.relay("GET")

    def do_HEAD(self):
        self.relay("HEAD")


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = ARGS.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{server.server_address[1]}\n")
    os.rename(tmp, ARGS.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
