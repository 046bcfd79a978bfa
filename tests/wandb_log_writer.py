"""A small writer of W&B transaction logs (``.wandb``) for tests: W&B's framing (LevelDB log
blocks behind a ``:W&B`` header, a CRC-32 per chunk) and protocol buffer fields written by hand,
so a test can put any byte anywhere. Field numbers as in runicorn/archive/wandb_wire.py."""

from __future__ import annotations

import json
import struct
import zlib

HEADER = b":W&B" + struct.pack("<HB", 0xBEE1, 0)
BLOCK = 32 * 1024
FULL, FIRST, MIDDLE, LAST = 1, 2, 3, 4
START = 1_795_000_000


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number: int, payload: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def number_field(number: int, value: int) -> bytes:
    return varint(number << 3) + varint(value)


def item(path: list[str], value_json: str | bytes) -> bytes:
    raw = value_json if isinstance(value_json, bytes) else value_json.encode()
    return b"".join(field(2, part.encode()) for part in path) + field(16, raw)


def history(step: int, **values: object) -> bytes:
    items = [item(["_step"], str(step)), item(["_timestamp"], str(START + step))]
    items += [item([key], json.dumps(value)) for key, value in values.items()]
    return field(2, b"".join(field(1, i) for i in items) + field(2, number_field(1, step)))


def run_record(name: str = "crafted") -> bytes:
    start = field(17, number_field(1, START))
    return field(17, field(1, b"x1") + field(3, b"hostile") + field(8, name.encode()) + start)


EXIT = field(18, number_field(1, 0))


def frame(*records: bytes) -> bytes:
    """W&B's framing: 32 KiB blocks from byte 0, chunks never crossing one."""
    out = bytearray(HEADER)
    for data in records:
        first = True
        while True:
            left = BLOCK - len(out) % BLOCK
            if left < 7:
                out += bytes(left)
                continue
            piece, data = data[: left - 7], data[left - 7 :]
            kind = (FULL if not data else FIRST) if first else (LAST if not data else MIDDLE)
            out += struct.pack("<IHB", zlib.crc32(bytes([kind]) + piece), len(piece), kind) + piece
            first = False
            if not data:
                break
    return bytes(out)
