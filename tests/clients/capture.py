#!/usr/bin/env python3
"""Record the Kafka requests a real client sends, for golden tests.

Listens on 127.0.0.1 on a port the kernel picks, runs the client command given after `--` (with
`{port}` replaced by that port), and writes every request frame it receives, without its 4-byte size,
as one line of lowercase hex to OUT_DIR/<connection>-<frame>-key<api key>-v<api version>.hex.

It answers nothing but ApiVersions, and that only with --answer-api-versions: a hand-built
ApiVersionsResponse (layout from ApiVersionsResponse.json; header always v0, KIP-511) advertising the
ranges in ADVERTISED_RANGES, so that the client goes on to send its second request (Metadata), which is
recorded and left unanswered until the client gives up.

Standard library only, so that it runs under Debian's /usr/bin/python3 beside the real clients.

    capture.py --out-dir /tmp/kcat --answer-api-versions -- kcat -b 127.0.0.1:{port} -L -m 2
"""

import argparse
import os
import socket
import struct
import subprocess
import sys
import threading
import time

# A client's first requests are a few hundred bytes; anything larger means we misread the framing.
FRAME_BYTES_MAX = 1 << 20
# Bounds on what one capture may record, so that a client in a retry loop cannot fill the disk.
FRAMES_PER_CONNECTION_MAX = 64
CONNECTIONS_MAX = 16
ACCEPT_POLL_SECONDS = 0.2

API_KEY_API_VERSIONS = 18
API_VERSIONS_VERSION_MAX = 3
# ApiVersions v3 is the first flexible version (compact arrays, tagged fields).
API_VERSIONS_FIRST_FLEXIBLE_VERSION = 3
ERROR_NONE = 0
ERROR_UNSUPPORTED_VERSION = 35

# (api key, min version, max version): the ranges kafka-protocol-scope.md §0-§1 says librdkafka 2.0.2
# and kafkajs 2.2.4 need to turn on every feature they have (minimums of 0 for the group RPCs, Produce
# up to 7 and Fetch up to 10 or more).
ADVERTISED_RANGES = (
    (0, 0, 7),    # Produce
    (1, 0, 11),   # Fetch
    (2, 0, 3),    # ListOffsets
    (3, 0, 8),    # Metadata
    (8, 0, 7),    # OffsetCommit
    (9, 0, 7),    # OffsetFetch
    (10, 0, 2),   # FindCoordinator
    (11, 0, 5),   # JoinGroup
    (12, 0, 3),   # Heartbeat
    (13, 0, 3),   # LeaveGroup
    (14, 0, 3),   # SyncGroup
    (15, 0, 4),   # DescribeGroups
    (16, 0, 4),   # ListGroups
    (18, 0, 3),   # ApiVersions
    (19, 0, 4),   # CreateTopics
    (20, 0, 1),   # DeleteTopics
    (22, 0, 4),   # InitProducerId
)


def unsigned_varint(value):
    assert value >= 0
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def api_versions_response(correlation_id, request_version):
    """The response frame (size included) for an ApiVersions request of the given version.

    A version we do not know is answered in the v0 layout with UNSUPPORTED_VERSION and the full key
    list, as Kafka does, so that the client can retry with a version we advertise.
    """
    if request_version > API_VERSIONS_VERSION_MAX:
        error_code, body_version = ERROR_UNSUPPORTED_VERSION, 0
    else:
        error_code, body_version = ERROR_NONE, request_version
    flexible = body_version >= API_VERSIONS_FIRST_FLEXIBLE_VERSION

    # Response header v0 even for the flexible v3: KIP-511.
    body = bytearray(struct.pack(">i", correlation_id))
    body += struct.pack(">h", error_code)
    if flexible:
        body += unsigned_varint(len(ADVERTISED_RANGES) + 1)
    else:
        body += struct.pack(">i", len(ADVERTISED_RANGES))
    for api_key, min_version, max_version in ADVERTISED_RANGES:
        body += struct.pack(">hhh", api_key, min_version, max_version)
        if flexible:
            body += unsigned_varint(0)  # the entry's tagged fields: none
    if body_version >= 1:
        body += struct.pack(">i", 0)  # ThrottleTimeMs
    if flexible:
        body += unsigned_varint(0)  # the body's tagged fields: none
    return struct.pack(">i", len(body)) + bytes(body)


def read_exactly(connection, size):
    """The next `size` bytes, or None if the peer closed first."""
    chunks, remaining = [], size
    while remaining > 0:
        chunk = connection.recv(remaining)
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def record_connection(connection, connection_index, out_dir, answer_api_versions, log):
    with connection:
        for frame_index in range(FRAMES_PER_CONNECTION_MAX):
            size_bytes = read_exactly(connection, 4)
            if size_bytes is None:
                return
            (size,) = struct.unpack(">i", size_bytes)
            if not 8 <= size <= FRAME_BYTES_MAX:
                log(f"connection {connection_index}: frame size {size} is out of range; closing")
                return
            frame = read_exactly(connection, size)
            if frame is None:
                log(f"connection {connection_index}: closed inside a {size}-byte frame")
                return
            api_key, api_version, correlation_id = struct.unpack_from(">hhi", frame, 0)
            name = f"{connection_index:02d}-{frame_index:02d}-key{api_key}-v{api_version}.hex"
            with open(os.path.join(out_dir, name), "w", encoding="ascii") as out:
                out.write(frame.hex() + "\n")
            log(f"recorded {name} ({size} bytes, correlation id {correlation_id})")
            if answer_api_versions and api_key == API_KEY_API_VERSIONS:
                connection.sendall(api_versions_response(correlation_id, api_version))


def accept_connections(listener, out_dir, answer_api_versions, stop, log):
    listener.settimeout(ACCEPT_POLL_SECONDS)
    for connection_index in range(CONNECTIONS_MAX):
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
                break
            except socket.timeout:
                continue
        else:
            return
        connection.settimeout(None)
        threading.Thread(
            target=record_connection,
            args=(connection, connection_index, out_dir, answer_api_versions, log),
            daemon=True,
        ).start()
    log(f"stopped accepting after {CONNECTIONS_MAX} connections")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", required=True, help="folder for the .hex files (created)")
    parser.add_argument("--answer-api-versions", action="store_true",
                        help="answer ApiVersions so that the client sends its next request")
    parser.add_argument("--timeout-seconds", type=float, default=20.0,
                        help="stop the client if it is still running after this long")
    parser.add_argument("client", nargs=argparse.REMAINDER,
                        help="-- then the client command; {port} is replaced by the port")
    args = parser.parse_args()
    client = args.client[1:] if args.client[:1] == ["--"] else args.client
    if not client:
        parser.error("give the client command after --")

    os.makedirs(args.out_dir, exist_ok=True)
    log_lock = threading.Lock()

    def log(message):
        with log_lock:
            print(f"capture: {message}", file=sys.stderr, flush=True)

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(CONNECTIONS_MAX)
        port = listener.getsockname()[1]
        log(f"listening on 127.0.0.1:{port}")
        stop = threading.Event()
        acceptor = threading.Thread(
            target=accept_connections,
            args=(listener, args.out_dir, args.answer_api_versions, stop, log),
            daemon=True,
        )
        acceptor.start()

        command = [part.replace("{port}", str(port)) for part in client]
        log("running " + " ".join(command))
        started = time.monotonic()
        try:
            result = subprocess.run(command, stdin=subprocess.DEVNULL, timeout=args.timeout_seconds)
            log(f"client exited with {result.returncode} after {time.monotonic() - started:.1f}s")
        except subprocess.TimeoutExpired:
            log(f"client still running after {args.timeout_seconds}s; stopped it")
        stop.set()
        acceptor.join()

    recorded = sorted(name for name in os.listdir(args.out_dir) if name.endswith(".hex"))
    if not recorded:
        log("no request was recorded")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
