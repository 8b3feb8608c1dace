#!/usr/bin/env python3
"""A TCP relay that puts a long path between two hosts on loopback.

delayrelay.py DELAY_MS TARGET: listen on 127.0.0.1 (an ephemeral port),
print "delayrelay listening on 127.0.0.1:PORT", and relay every connection
to TARGET (host:port). Each direction delivers every chunk DELAY_MS (the
one-way delay) after it was read, in order, end of stream included. A new
connection pays what TCP's handshake would: the relay connects to TARGET
one one-way delay after accepting (the SYN's trip), and the client's first
bytes arrive no sooner than two one-way delays after that (SYN-ACK, then
ACK with data), so a time to first byte includes the connect round trip.
Test and benchmark tool: loopback only, no bandwidth model.
"""
import asyncio
import sys


async def pipe(reader, writer, delay, not_before):
    """Copy reader to writer, each chunk `delay` seconds after it was read
    and none before the loop time `not_before`."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                if data is None:
                    if writer.can_write_eof():
                        writer.write_eof()
                    return
                writer.write(data)
                await writer.drain()
            except (ConnectionError, OSError):
                return

    task = asyncio.ensure_future(deliver())
    try:
        while True:
            data = await reader.read(65536)
            due = max(loop.time() + delay, not_before)
            queue.put_nowait((due, data if data else None))
            if not data:
                break
    except (ConnectionError, OSError):
        queue.put_nowait((loop.time(), None))
    await task


async def handle(delay, host, port, creader, cwriter):
    loop = asyncio.get_running_loop()
    accepted = loop.time()
    await asyncio.sleep(delay)                  # the SYN travels
    try:
        sreader, swriter = await asyncio.open_connection(host, port)
    except OSError:
        cwriter.transport.abort()
        return
    target_accepted = accepted + delay
    await asyncio.gather(
        pipe(creader, swriter, delay, target_accepted + 2 * delay),
        pipe(sreader, cwriter, delay, 0))
    for w in (cwriter, swriter):
        try:
            w.close()
        except OSError:
            pass


async def main():
    delay = int(sys.argv[1]) / 1000.0
    host, port = sys.argv[2].rsplit(":", 1)
    server = await asyncio.start_server(
        lambda r, w: handle(delay, host.strip("[]"), int(port), r, w),
        "127.0.0.1", 0)
    addr = server.sockets[0].getsockname()
    print("delayrelay listening on %s:%d" % (addr[0], addr[1]), flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.stderr.write("usage: delayrelay.py DELAY_MS HOST:PORT\n")
        sys.exit(2)
    asyncio.run(main())
