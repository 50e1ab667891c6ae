#!/usr/bin/env python3
"""Capture the record batches librdkafka (through kcat) writes, one file per codec.

A minimal fake broker: it answers ApiVersions and Metadata just enough for kcat to produce, then saves
the records of the first Produce request (acks=0, so no response is needed). The .bin files next to
this script are its output; RecordBatchInteropTests decodes them. Regenerate with:

    python3 capture-librdkafka-batches.py
"""
import socket
import struct
import subprocess
import sys
import threading

TOPIC = b"interop"


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def frame(correlation_id, body):
    payload = struct.pack(">i", correlation_id) + body
    return struct.pack(">i", len(payload)) + payload


def api_versions_v3(apis):
    # Response header v0 even for v3 (KIP-511); body is flexible: compact array, tagged fields.
    body = struct.pack(">h", 0) + bytes([len(apis) + 1])
    for key, lo, hi in apis:
        body += struct.pack(">hhh", key, lo, hi) + b"\x00"
    return body + struct.pack(">i", 0) + b"\x00"


def metadata_v1(port):
    s = lambda b: struct.pack(">h", len(b)) + b
    body = struct.pack(">i", 1)  # one broker
    body += struct.pack(">i", 0) + s(b"127.0.0.1") + struct.pack(">i", port) + struct.pack(">h", -1)
    body += struct.pack(">i", 0)  # controller id
    body += struct.pack(">i", 1)  # one topic
    body += struct.pack(">h", 0) + s(TOPIC) + b"\x00"
    body += struct.pack(">i", 1)  # one partition
    body += struct.pack(">hii", 0, 0, 0) + struct.pack(">ii", 1, 0) + struct.pack(">ii", 1, 0)
    return body


def records_of_produce(body):
    # Produce v3..v8 request body: transactional_id, acks, timeout, [topic [partition records]].
    at = 0
    (tid_len,) = struct.unpack_from(">h", body, at)
    at += 2 + max(tid_len, 0) + 2 + 4
    at += 4  # topic count (1)
    (name_len,) = struct.unpack_from(">h", body, at)
    at += 2 + name_len + 4 + 4  # partition count, partition index
    (size,) = struct.unpack_from(">i", body, at)
    return body[at + 4: at + 4 + size]


def serve(listener, result):
    # Measured with librdkafka 2.0.2: it sends gzip, snappy and lz4 uncompressed ("Broker does not support
    # compression type") unless the broker's Produce range starts at 0; Fetch's minimum does not matter.
    # zstd needs Produce 7 and Fetch 10, LZ4 FindCoordinator 0, record batch v2 Produce 3 and Fetch 4.
    apis = [(0, 0, 7), (1, 2, 10), (3, 1, 1), (10, 0, 0), (18, 0, 3)]
    while "records" not in result:
        conn, _ = listener.accept()
        try:
            while True:
                (size,) = struct.unpack(">i", recv_exact(conn, 4))
                request = recv_exact(conn, size)
                key, version, correlation_id = struct.unpack_from(">hhi", request)
                (client_len,) = struct.unpack_from(">h", request, 8)
                header_end = 10 + max(client_len, 0) + (1 if key == 18 and version >= 3 else 0)
                body = request[header_end:]
                if key == 18:
                    conn.sendall(frame(correlation_id, api_versions_v3(apis)))
                elif key == 3:
                    conn.sendall(frame(correlation_id, metadata_v1(listener.getsockname()[1])))
                elif key == 0:
                    result["records"] = records_of_produce(body)
                    return
        except EOFError:
            pass
        finally:
            conn.close()


def capture(codec):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    result = {}
    thread = threading.Thread(target=serve, args=(listener, result), daemon=True)
    thread.start()
    # Repetitive enough that librdkafka keeps the compressed form (it sends uncompressed if that is smaller).
    messages = b"".join(b"key%d:value %d of a batch that compresses well\n" % (i, i) for i in range(20))
    messages += b":value with an empty key\n"
    subprocess.run(
        ["kcat", "-b", f"127.0.0.1:{port}", "-P", "-t", TOPIC.decode(), "-p", "0", "-K:", "-z", codec,
         "-H", "h1=v1", "-H", "h2=", "-X", "request.required.acks=0", "-X", "linger.ms=50"],
        input=messages, timeout=30, stderr=subprocess.DEVNULL)
    # kcat may exit with "all brokers down" once the fake broker hangs up; the batch is captured by then.
    thread.join(timeout=30)
    listener.close()
    return result["records"]


if __name__ == "__main__":
    for codec in sys.argv[1:] or ["none", "gzip", "snappy", "lz4", "zstd"]:
        records = capture(codec)
        with open(f"librdkafka-{codec}.bin", "wb") as out:
            out.write(records)
        print(codec, len(records), "bytes")
