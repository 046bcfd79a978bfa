"""Who listens at the other end of a loopback connection: the uid owning the socket a client
reached, read from the kernel's tables of TCP sockets (``/proc/net/tcp``, ``/proc/net/tcp6``;
Linux). The CLI sends its token to a loopback agent only when that uid is the user's own (or
root's): another local user who took the agent's port while it was down would otherwise collect
the token of every ``runicorn jobs`` (docs/agent.md#security-model).
"""

from __future__ import annotations

import socket
import struct
from pathlib import Path
from typing import Any

_TABLES: dict[int, Path] = {socket.AF_INET: Path("/proc/net/tcp"), socket.AF_INET6: Path("/proc/net/tcp6")}


def _hex_address(family: int, host: str, port: int) -> str:
    """``host:port`` as the kernel's tables spell it: the address in 32-bit words of the host's
    byte order, the port in big-endian hex."""
    packed = socket.inet_pton(family, host.split("%", 1)[0])
    words = struct.unpack(f"={len(packed) // 4}I", packed)
    return "".join(f"{word:08X}" for word in words) + f":{port:04X}"


def _spellings(family: int, address: tuple[Any, ...]) -> list[tuple[int, str]]:
    """(table, spelling) pairs naming ``address``: an IPv4 address may also appear in the IPv6
    table, mapped (``::ffff:a.b.c.d``), when the other end listens on a dual-stack socket."""
    host, port = address[0], address[1]
    found = [(family, _hex_address(family, host, port))]
    if family == socket.AF_INET:
        found.append((socket.AF_INET6, _hex_address(socket.AF_INET6, f"::ffff:{host}", port)))
    return found


def peer_uid(sock: socket.socket) -> int | None:
    """The uid owning the socket at the other end of ``sock``, a connected TCP socket to this
    machine; None where the kernel does not say (not Linux, no such table)."""
    here, there = sock.getsockname(), sock.getpeername()
    for (family, far), (_, near) in zip(
        _spellings(sock.family, there), _spellings(sock.family, here), strict=True
    ):
        try:
            lines = _TABLES[family].read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            # the other end's socket: its local address is the one we reached, its remote one is ours
            if len(fields) > 7 and fields[1] == far and fields[2] == near:
                return int(fields[7])
    return None
