"""Slack's side of Socket Mode for one client: a minimal WebSocket server (RFC 6455) on 127.0.0.1.

It sends `hello`, then the envelopes a test asks for, answers pings, and collects the client's
acknowledgements by envelope id. slack_sdk's built-in client speaks plain ws:// to any port but
443, which is what makes this possible offline.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import queue
import socket
import struct
import threading
import uuid
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class SocketModeServer:
    """Accepts one Socket Mode client; `send_command` and `ack` drive it."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.connected = threading.Event()
        self._conn: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._acks: dict[str, queue.Queue[dict[str, Any]]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link/?ticket=test"

    def stop(self) -> None:
        self._stop.set()
        for sock in (self._conn, self._listener):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()

    def send_command(self, fields: dict[str, Any]) -> str:
        """Deliver a slash command envelope; returns its envelope id."""
        return self.send_envelope("slash_commands", fields)

    def send_envelope(self, kind: str, fields: dict[str, Any]) -> str:
        """Deliver an envelope of any type (`interactive` for a view_submission); its id."""
        envelope_id = str(uuid.uuid4())
        self._acks[envelope_id] = queue.Queue()
        self._send(
            TEXT,
            json.dumps(
                {
                    "envelope_id": envelope_id,
                    "type": kind,
                    "accepts_response_payload": True,
                    "payload": fields,
                }
            ).encode(),
        )
        return envelope_id

    def ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The client's acknowledgement of an envelope (its response payload, if any)."""
        return self._acks[envelope_id].get(timeout=timeout)

    # -- the connection ---------------------------------------------------------------------

    def _serve(self) -> None:
        try:
            conn, _ = self._listener.accept()
        except OSError:
            return
        self._conn = conn
        request = b""
        while b"\r\n\r\n" not in request:
            chunk = conn.recv(4096)
            if not chunk:
                return
            request += chunk
        key = next(
            line.split(b":", 1)[1].strip()
            for line in request.split(b"\r\n")
            if line.lower().startswith(b"sec-websocket-key:")
        )
        accept = base64.b64encode(hashlib.sha1(key + GUID.encode()).digest()).decode()
        conn.sendall(
            (
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
            ).encode()
        )
        self._send(
            TEXT,
            json.dumps(
                {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0APP"}}
            ).encode(),
        )
        self.connected.set()
        self._read_frames(conn)

    def _read_frames(self, conn: socket.socket) -> None:
        reader = conn.makefile("rb")
        while not self._stop.is_set():
            try:
                opcode, payload = _read_frame(reader)
            except (OSError, ValueError, struct.error):
                return
            if opcode == PING:
                self._send(PONG, payload)
            elif opcode == CLOSE:
                return
            elif opcode == TEXT:
                message = json.loads(payload)
                waiting = self._acks.get(str(message.get("envelope_id")))
                if waiting is not None:
                    waiting.put(message.get("payload") or {})

    def _send(self, opcode: int, payload: bytes) -> None:
        header = bytes([0x80 | opcode])
        length = len(payload)
        if length < 126:
            header += bytes([length])
        elif length < 1 << 16:
            header += bytes([126]) + struct.pack("!H", length)
        else:
            header += bytes([127]) + struct.pack("!Q", length)
        with self._send_lock:
            assert self._conn is not None
            self._conn.sendall(header + payload)


def _read_frame(reader: Any) -> tuple[int, bytes]:
    first, second = reader.read(2)
    opcode, masked, length = first & 0x0F, second & 0x80, second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", reader.read(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", reader.read(8))
    mask = reader.read(4) if masked else b"\0\0\0\0"
    data = reader.read(length)
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))
