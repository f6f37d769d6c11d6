#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""throttle-proxy.py PORT_FILE UPSTREAM_HOST:PORT BYTES_PER_SECOND

A TCP proxy on 127.0.0.1 (a free port, written to PORT_FILE once it listens) that forwards
every connection to UPSTREAM and slows the upstream-to-client direction of each connection to
BYTES_PER_SECOND. The integration tests pull through it when a pull must last long enough to
be cancelled, or to see byte progress climb, on a registry that is otherwise as fast as
loopback. Standard library only; stopped with SIGTERM (registry-down.sh).
"""

import asyncio
import os
import sys
import time

CHUNK = 64 * 1024


async def pump(reader, writer, rate):
    """Copy reader to writer; with rate > 0, at most `rate` bytes per second (token bucket)."""
    next_ok = time.monotonic()
    try:
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            if rate > 0:
                now = time.monotonic()
                next_ok = max(next_ok, now) + len(data) / rate
                delay = next_ok - now
                if delay > 0:
                    await asyncio.sleep(delay)
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except (ConnectionError, OSError):
        pass


async def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    port_file, upstream, rate = sys.argv[1], sys.argv[2], float(sys.argv[3])
    up_host, up_port = upstream.rsplit(":", 1)

    async def handle(client_reader, client_writer):
        try:
            up_reader, up_writer = await asyncio.open_connection(up_host, int(up_port))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            pump(client_reader, up_writer, 0), pump(up_reader, client_writer, rate)
        )
        for w in (up_writer, client_writer):
            try:
                w.close()
            except OSError:
                pass

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    tmp = port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{port}\n")
    os.rename(tmp, port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
