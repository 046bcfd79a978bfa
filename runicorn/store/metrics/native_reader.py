"""Decoding long stretches of ``events.jsonl`` with Arrow's multi-threaded JSON reader: :class:`NativeReader`.

A cold read of a run written without ``events.columns`` (by another program, an import, the PyPI
Runicorn) is bound by JSON decoding. ``pyarrow``'s NDJSON reader parses a piece of whole lines in
native code on every core, with no Python object per value, and
:mod:`runicorn.store.metrics.arrow_rows` turns its table into the codec's
:class:`~runicorn.codec.blocks.Block`. Why Arrow's reader: it is strict where the format needs it
(a key whose values change from numbers to strings or booleans, a key twice in a record, an
integer too large for a float, bad UTF-8: each is an error, never a silent conversion), it reads
the ``NaN``/``Infinity`` tokens the PyPI package writes, and it parses with a schema given
(learned from the first piece), which halves its work. polars' reader took about twice the CPU
and turns mismatched values into nulls; DuckDB's casts strings to numbers and drops keys a given
schema lacks (docs/viewer.md#caching has the figures).

A piece is read natively only when its lines can be matched exactly: every line starts with
``{`` and is one JSON object with a ``data`` object; the table has one row per line. Anything
else (a broken line, a blank line, a line longer than Arrow's block, values Arrow rejects) is
decoded by :func:`~runicorn.codec.blocks.decode_block`, as without Arrow: the columns are the
same either way, and no row is lost. Without ``pyarrow`` installed :func:`native_reader` answers
None and the store decodes as before. The SDK never imports this module.
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType
from typing import Any

from runicorn.codec.blocks import Block, cut_blocks, decode_block, gc_paused

ARROW_BLOCK_BYTES = 4 * 1024 * 1024  # Arrow parses blocks of this size in parallel; longer lines fall back
SAMPLE_BYTES = 256 * 1024  # the first lines, whose schema the pieces are read with
_modules: tuple[ModuleType, ModuleType] | None = None
_missing = False
_import_lock = threading.Lock()


def _arrow() -> tuple[ModuleType, ModuleType] | None:
    """``(pyarrow, pyarrow.json)`` imported on first use; None when not installed."""
    global _modules, _missing
    with _import_lock:
        if _modules is None and not _missing:
            try:
                _modules = (importlib.import_module("pyarrow"), importlib.import_module("pyarrow.json"))
                importlib.import_module("runicorn.store.metrics.arrow_rows")
            except ImportError:
                _missing = True
        return _modules


def preload() -> None:
    """Import Arrow now (the viewer does it in a thread at start, so a first cold read does not pay it)."""
    _arrow()


class NativeReader:
    """Decodes pieces of whole lines, natively when it can; one per cold read (it learns the
    schema of the run's lines from its first piece). Not thread-safe."""

    def __init__(self, block_bytes: int = ARROW_BLOCK_BYTES) -> None:
        self.block_bytes = block_bytes
        self._schema: Any = None
        self.native_pieces = 0  # pieces Arrow decoded
        self.fallback_pieces = 0  # pieces the codec decoded instead

    def decode(self, data: bytes | memoryview) -> list[Block]:
        """The blocks of ``data`` (whole lines, ending with a newline)."""
        block = self._native(data)
        if block is not None:
            self.native_pieces += 1
            return [block]
        self.fallback_pieces += 1
        with gc_paused():
            return [decode_block(piece) for piece in cut_blocks(bytes(data))]

    def _native(self, data: bytes | memoryview) -> Block | None:
        modules = _arrow()
        if modules is None or not len(data):
            return None
        if self._schema is None:
            self._learn(modules, data)
        # Each line starting with "{" gives Arrow at least one row, a blank one none: as many rows
        # as such lines means one object per line (a line with two is malformed to the codec).
        whole: Any = data.obj if isinstance(data, memoryview) else data  # a buffer starting at data
        object_lines = whole.count(b"\n{", 0, len(data)) + (data[:1] == b"{")
        table = self._read(modules, data)
        if table is None or table.num_rows != object_lines:
            return None
        from runicorn.store.metrics.arrow_rows import block_from_table

        try:
            return block_from_table(table, data)
        except (modules[0].ArrowException, ValueError, TypeError, OverflowError):
            return None

    def _learn(self, modules: tuple[ModuleType, ModuleType], data: bytes | memoryview) -> None:
        """The schema of the first lines (inferring it over a whole piece doubles Arrow's work)."""
        sample = bytes(data[:SAMPLE_BYTES])
        cut = sample.rfind(b"\n") + 1
        if cut and cut < len(data):
            self._read(modules, sample[:cut])

    def _read(self, modules: tuple[ModuleType, ModuleType], data: bytes | memoryview) -> Any:
        pa, pj = modules
        options = pj.ReadOptions(block_size=self.block_bytes, use_threads=True)
        if self._schema is not None:
            try:  # the schema learned so far: no type inference (half the work)
                strict = pj.ParseOptions(explicit_schema=self._schema, unexpected_field_behavior="error")
                return pj.read_json(pa.BufferReader(data), read_options=options, parse_options=strict)
            except (pa.ArrowException, ValueError):
                pass  # a new key or type: learned again from this piece
        try:
            table = pj.read_json(pa.BufferReader(data), read_options=options)
        except (pa.ArrowException, ValueError):  # UnicodeDecodeError is a ValueError
            return None
        self._schema = _widened(pa, table.schema)
        return table


def _widened(pa: ModuleType, schema: Any) -> Any:
    """``schema`` with integer fields read as float64, so a later float in them is no error."""

    def widen(t: Any) -> Any:
        if pa.types.is_integer(t):
            return pa.float64()
        if pa.types.is_struct(t):
            return pa.struct([f.with_type(widen(f.type)) for f in t])
        return t

    return pa.schema([f.with_type(widen(f.type)) for f in schema])


def native_reader(block_bytes: int = ARROW_BLOCK_BYTES) -> NativeReader | None:
    """A reader for one cold read; None when ``pyarrow`` is not installed."""
    return NativeReader(block_bytes) if _arrow() is not None else None
