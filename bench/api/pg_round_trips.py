#!/usr/bin/env python3
"""A loopback TCP proxy in front of PostgreSQL that counts round trips: a client sending after the server last spoke
(or for the first time after the startup handshake) is one round trip, however many messages it pipelines — so
Npgsql's pooled-connection reset, sent in the same write as the next command, is not counted as one of its own.
Writes the running total to a file (whenever it changed, at most every 50 ms) so a bench can read it before and after.

    pg_round_trips.py LISTEN_PORT TARGET_PORT COUNT_FILE
"""
import asyncio
import os
import struct
import sys

LISTEN_PORT, TARGET_PORT, COUNT_FILE = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
round_trips = 0


async def pump_server(reader, writer, state):
    try:
        while data := await reader.read(65536):
            state["server_spoke"] = True
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def pump_client(reader, writer, state):
    global round_trips
    try:
        # Startup packets (SSLRequest, GSSENCRequest, StartupMessage) have no type byte: length first.
        while True:
            length = struct.unpack("!I", await reader.readexactly(4))[0]
            body = await reader.readexactly(length - 4)
            writer.write(struct.pack("!I", length) + body)
            await writer.drain()
            code = struct.unpack("!I", body[:4])[0]
            if code not in (80877103, 80877104):  # SSL and GSS encryption requests are answered with one byte, then startup follows
                break
        while True:
            header = await reader.readexactly(5)
            kind, length = header[:1], struct.unpack("!I", header[1:])[0]
            body = await reader.readexactly(length - 4)
            if state["server_spoke"] and kind not in (b"X", b"p"):  # terminate and authentication are no work
                round_trips += 1
                state["server_spoke"] = False
            writer.write(header + body)
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer):
    server_reader, server_writer = await asyncio.open_connection("127.0.0.1", TARGET_PORT)
    # The handshake's own exchanges are not counted: the first round trip is the first command after it.
    state = {"server_spoke": False}
    await asyncio.gather(pump_client(client_reader, server_writer, state), pump_server(server_reader, client_writer, state))


async def publish():
    written = None
    while True:
        if round_trips != written:
            written = round_trips
            with open(COUNT_FILE + ".tmp", "w") as f:
                f.write(str(written))
            os.replace(COUNT_FILE + ".tmp", COUNT_FILE)
        await asyncio.sleep(0.05)


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", LISTEN_PORT)
    asyncio.get_running_loop().create_task(publish())
    async with server:
        await server.serve_forever()


asyncio.run(main())
