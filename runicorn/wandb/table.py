"""``wandb.Table``: rows of cells under named columns, with W&B's column typing
(docs/wandb.md#data-types).

A column takes the kind of its first cell that is not None (number, bool, text, image, array of
one shape, list, dict, ...); a later cell of another kind raises ``TypeError`` unless the table
was made with ``allow_mixed_types=True``. ``wandb.log`` records the table through the SDK's
``log_table``; image cells are written as image files under the run's ``media/`` and the cell
holds ``{"_type": "image-file", "path": ...}`` (the viewer shows the image in the table);
arrays become lists; other values their text. pandas and numpy are imported only when a table
meets them.
"""

from __future__ import annotations

import calendar
import datetime
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from runicorn import format as fmt
from runicorn.wandb.media_file import Media
from runicorn.wandb.wbvalue import WBValue

if TYPE_CHECKING:
    from runicorn.sdk.run_like import RunLike

__all__ = ["PartitionedTable", "Table", "TableShapeError"]

_DEFAULT_COLUMNS = ["Input", "Output", "Expected"]
_LOG_MODES = ("IMMUTABLE", "MUTABLE", "INCREMENTAL")


class TableShapeError(AssertionError, ValueError):
    """A row or column does not fit the table (W&B raises AssertionError here)."""


class _TableIndex(int):
    """A row index that knows its table (``iterrows``, ``get_index``)."""

    _table: Any = None


class _TableKey(str):
    """A primary-key cell that knows its table and column (``set_pk``)."""

    _table: Any = None
    _col_name: str | None = None


class _PrimaryKeyType:
    """W&B's type for a primary-key column (``table.cast(col, _PrimaryKeyType())``)."""


class _ForeignKeyType:
    """W&B's type for a column of keys into ``table``'s column ``col_name``."""

    def __init__(self, table: Any, col_name: str) -> None:
        self.table, self.col_name = table, col_name


class _ColumnTypes:
    def __init__(self, params: dict[str, Any]) -> None:
        self.params = params


class Table(WBValue):
    """W&B's table. ``data`` (rows) may be a list of lists, a numpy array or a pandas DataFrame;
    ``dataframe=`` a DataFrame; ``rows=`` is the old name of ``data``."""

    MAX_ROWS = 10000
    MAX_ARTIFACT_ROWS = 200000
    _log_type = "table"

    def __init__(
        self,
        columns: Sequence[Any] | None = None,
        data: Any = None,
        rows: Any = None,
        dataframe: Any = None,
        dtype: Any = None,
        optional: Any = True,
        allow_mixed_types: bool = False,
        log_mode: str | None = "IMMUTABLE",
    ) -> None:
        if log_mode not in _LOG_MODES:
            raise TableShapeError(f"log_mode must be one of {_LOG_MODES}, got {log_mode!r}")
        self.log_mode = log_mode
        self.allow_mixed_types = allow_mixed_types
        self._kinds: dict[str, str | None] = {}
        self._pk: str | None = None
        self._links: dict[Any, tuple[type, Any, Any]] = {}  # column -> (key type, table, its column)
        rows_given = data if data is not None else rows
        if dataframe is None and _is_dataframe(rows_given):
            dataframe, rows_given = rows_given, None
        if dataframe is not None:
            if not _is_dataframe(dataframe):
                raise TableShapeError("dataframe= takes a pandas DataFrame")
            self.columns = list(dataframe.columns)
            self.data: list[list[Any]] = []
            for row in dataframe.itertuples(index=False, name=None):
                self.add_data(*[_plain_scalar(c) for c in row])
            return
        if columns is not None and (_is_dataframe(columns) or hasattr(columns, "ndim")):
            raise TableShapeError("the first argument is columns= (names); pass rows as data=")
        if columns is not None and any(isinstance(c, (list, tuple)) for c in columns):
            raise TableShapeError("the first argument is columns= (names); pass rows as data=")
        if hasattr(rows_given, "ndim") and hasattr(rows_given, "tolist"):  # a numpy array
            rows_given = [list(r) for r in rows_given] if rows_given.ndim > 2 else rows_given.tolist()
        if columns is None:
            columns = _DEFAULT_COLUMNS
        self.columns = list(columns)
        self.data = []
        for row in rows_given or []:
            self.add_data(*row)

    # --- rows and columns -----------------------------------------------------------------------
    def add_data(self, *row: Any) -> None:
        """Append one row (its cells as arguments: ``add_data(*cells)``)."""
        if len(row) != len(self.columns):
            raise TableShapeError(f"a row of {len(row)} cells for {len(self.columns)} columns {self.columns}")
        cells = list(row)
        for i, name in enumerate(self.columns):
            cells[i] = self._checked(name, cells[i])
        self.data.append(cells)

    add_row = add_data

    def add_column(self, name: Any, data: Sequence[Any], optional: bool = False) -> None:
        """Append a column; ``data`` has one cell per row."""
        self._refuse_if_incremental("add_column")
        if name in self.columns:
            raise TableShapeError(f"the table already has a column {name!r}")
        cells = list(data)
        if self.data and len(cells) != len(self.data):
            raise TableShapeError(f"{len(cells)} cells for a table of {len(self.data)} rows")
        if not self.data:
            self.data = [[] for _ in cells]
        self.columns.append(name)
        for row, cell in zip(self.data, cells, strict=True):
            row.append(self._checked(name, cell))

    def get_column(self, name: Any, convert_to: str | None = None) -> list[Any] | Any:
        """The cells of column ``name``, top to bottom (``convert_to="numpy"``: as an array)."""
        if name not in self.columns:
            raise KeyError(f"no column {name!r}; the columns are {self.columns}")
        i = self.columns.index(name)
        cells = [row[i] for row in self.data]
        if convert_to != "numpy":
            return cells
        import numpy as np

        return np.array(
            [np.array(c.image) if isinstance(c, Media) and hasattr(c, "image") else c for c in cells]
        )

    def get_index(self) -> list[_TableIndex]:
        """The rows' indexes (each knows this table)."""
        return [self._index(i) for i in range(len(self.data))]

    def iterrows(self) -> Iterator[tuple[_TableIndex, list[Any]]]:
        """``(index, row)`` for each row."""
        for i, row in enumerate(self.data):
            yield self._index(i), row

    def get_dataframe(self) -> Any:
        """The table as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.data, columns=self.columns)

    def add_computed_columns(self, fn: Any) -> None:
        """Add the columns ``fn(ndx=..., row={column: cell})`` returns for each row."""
        self._refuse_if_incremental("add_computed_columns")
        new = [fn(ndx=ndx, row=dict(zip(self.columns, row, strict=True))) for ndx, row in self.iterrows()]
        for name in new[0] if new else {}:
            self.add_column(name, [values[name] for values in new])

    def set_pk(self, col_name: str) -> None:
        """Make ``col_name`` this table's primary key: its cells become keys other tables can hold."""
        if self._pk is not None and self._pk != col_name:
            raise TableShapeError(f"the table's primary key is {self._pk!r} already")
        self._refuse_numbers(col_name, "a primary key")
        i = self.columns.index(col_name)
        self._pk = col_name
        for row in self.data:
            row[i] = self._key(col_name, row[i])

    def set_fk(self, col_name: str, table: Any, table_col: str) -> None:
        """Make ``col_name`` hold keys into ``table``'s column ``table_col``."""
        self.cast(col_name, _ForeignKeyType(table, table_col))

    def cast(self, col_name: str, dtype: Any, optional: bool = False) -> None:
        """W&B's key types are kept (:class:`_PrimaryKeyType`, :class:`_ForeignKeyType`); other
        types are accepted and not enforced."""
        if isinstance(dtype, _PrimaryKeyType):
            self.set_pk(col_name)
        elif isinstance(dtype, _ForeignKeyType):
            self._refuse_numbers(col_name, "a foreign key")
            self._link(col_name, (_TableKey, dtype.table, dtype.col_name))

    def _refuse_numbers(self, col_name: Any, what: str) -> None:
        if self._kinds.get(col_name) == "number":
            raise TypeError(f"column {col_name!r} holds numbers: it cannot be {what} (its cells are text)")

    @property
    def _column_types(self) -> _ColumnTypes:
        """W&B's view of the column types: ``params["type_map"][column]``."""
        type_map: dict[Any, Any] = {}
        for name in self.columns:
            link = self._links.get(name)
            if name == self._pk:
                type_map[name] = _PrimaryKeyType()
            elif link is not None and link[0] is _TableKey:
                type_map[name] = _ForeignKeyType(link[1], link[2])
            else:
                type_map[name] = self._kinds.get(name)
        return _ColumnTypes({"type_map": type_map})

    @classmethod
    def from_json(cls, json_obj: dict[str, Any], source_artifact: Any = None) -> Table:
        """The table W&B's JSON (``to_json``) describes."""
        return cls(columns=json_obj["columns"], data=json_obj.get("data", []), allow_mixed_types=True)

    def _refuse_if_incremental(self, operation: str) -> None:
        if self.log_mode == "INCREMENTAL":
            from runicorn.wandb.errors import Error

            raise Error(
                f"Operation '{operation}' is not supported for tables with log_mode='INCREMENTAL'."
                " Use a different log mode like 'MUTABLE' or 'IMMUTABLE'."
            )

    def _link(self, name: Any, link: tuple[type, Any, Any]) -> None:
        """Column ``name`` holds row indexes or keys of another table: its cells become so."""
        self._links[name] = link
        i = self.columns.index(name)
        for row in self.data:
            if len(row) > i:
                row[i] = _linked(name, link, row[i])

    def _index(self, i: int) -> _TableIndex:
        ndx = _TableIndex(i)
        ndx._table = self
        return ndx

    def _key(self, col_name: str, value: Any) -> Any:
        if value is None:
            raise TypeError(f"column {col_name!r} is the primary key: its cells cannot be None")
        key = _TableKey(value)
        key._table, key._col_name = self, col_name
        return key

    def _checked(self, name: Any, cell: Any) -> Any:
        if self._pk == name:
            return self._key(name, cell)
        if name not in self._links and isinstance(cell, (_TableIndex, _TableKey)):
            self._link(name, (type(cell), cell._table, getattr(cell, "_col_name", None)))
        link = self._links.get(name)
        if link is not None:
            return _linked(name, link, cell)
        kind = _kind_of(cell)
        if kind is None:
            return cell
        known = self._kinds.get(name)
        if known is None:
            self._kinds[name] = kind
        elif known != kind and not self.allow_mixed_types:
            raise TypeError(
                f"column {name!r} holds {known} values; this cell is {kind}: {cell!r:.80}"
                " (hint: wandb.Table(..., allow_mixed_types=True) takes mixed columns)"
            )
        return cell

    # --- W&B's JSON and comparison ----------------------------------------------------------------
    def _to_table_json(self, max_rows: int | None = None) -> dict[str, Any]:
        rows = self.data[: max_rows or self.MAX_ROWS]
        return {"columns": self.columns, "data": [[_json_cell(c) for c in r] for r in rows]}

    def to_json(self, run_or_artifact: Any = None) -> dict[str, Any]:
        out = self._to_table_json()
        out.update(_type="table", ncols=len(self.columns), nrows=len(self.data), log_mode=self.log_mode)
        return out

    def _eq_debug(self, other: Any, should_assert: bool = False) -> bool:
        checks = [
            (isinstance(other, Table), f"not a Table: {type(other).__name__}"),
            (len(getattr(other, "data", [])) == len(self.data), "the numbers of rows differ"),
            (getattr(other, "columns", None) == self.columns, "the columns differ"),
            (getattr(other, "_kinds", None) == self._kinds, "the column types differ"),
            (getattr(other, "data", None) == self.data, "the cells differ"),
        ]
        for ok, why in checks:
            if not ok:
                if should_assert:
                    raise AssertionError(why)
                return False
        return True

    def __eq__(self, other: object) -> bool:
        return self._eq_debug(other, False)

    __hash__ = None  # type: ignore[assignment]

    # --- logging ---------------------------------------------------------------------------------
    def log_into(self, run: RunLike, key: str, step: int, chart: dict[str, Any] | None = None) -> None:
        rows = [[self._cell_for_log(run, key, step, cell) for cell in row] for row in self.data]
        run.log_table(key, [str(c) for c in self.columns], rows, step=step, chart=chart)

    def _cell_for_log(self, run: RunLike, key: str, step: int, cell: Any) -> Any:
        if isinstance(cell, Media) and hasattr(cell, "image") and run.dir is not None:
            relpath = fmt.media_relpath(f"{key}_cell", time.time(), ".png")
            target = run.dir / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            cell.image.save(target, format="PNG")
            return {fmt.CELL_TYPE_KEY: fmt.IMAGE_CELL_TYPE, fmt.CELL_PATH_KEY: relpath}
        return _json_cell(cell)


def _linked(name: Any, link: tuple[type, Any, Any], cell: Any) -> Any:
    if cell is None:
        raise TypeError(f"column {name!r} holds indexes or keys of another table: its cells cannot be None")
    kind, table, col_name = link
    linked = kind(cell)
    linked._table = table
    if col_name is not None:
        linked._col_name = col_name
    return linked


def _kind_of(cell: Any) -> str | None:
    if cell is None:
        return None
    if isinstance(cell, bool):
        return "bool"
    if isinstance(cell, (int, float)):
        return "number"
    if isinstance(cell, str):
        return "text"
    if hasattr(cell, "ndim") and hasattr(cell, "shape"):
        return "number" if cell.ndim == 0 else f"array{tuple(cell.shape)}"
    if isinstance(cell, WBValue):
        return type(cell).__name__
    return type(cell).__name__


def _json_cell(cell: Any) -> Any:
    if cell is None or isinstance(cell, (bool, int, float, str)):
        return cell
    if isinstance(cell, datetime.date):  # as W&B: milliseconds since the epoch, UTC
        if not isinstance(cell, datetime.datetime):
            cell = datetime.datetime(cell.year, cell.month, cell.day)
        return calendar.timegm(cell.utctimetuple()) * 1000 + cell.microsecond // 1000
    if type(cell).__name__ == "datetime64":
        return int(cell.astype("datetime64[ms]").astype("int64"))
    if hasattr(cell, "tolist"):
        return cell.tolist()
    if isinstance(cell, (list, tuple)):
        return [_json_cell(c) for c in cell]
    if isinstance(cell, dict):
        return {str(k): _json_cell(v) for k, v in cell.items()}
    return str(cell)


def _plain_scalar(cell: Any) -> Any:
    return cell.item() if hasattr(cell, "item") and getattr(cell, "ndim", 1) == 0 else cell


def _is_dataframe(value: Any) -> bool:
    return type(value).__name__ == "DataFrame" and hasattr(value, "itertuples")


class PartitionedTable(WBValue):
    """W&B's table split into parts stored in an artifact (``parts_path``): its rows are read
    from the artifact, which runicorn.wandb keeps locally; a table made here has none yet."""

    _log_type = "partitioned-table"

    def __init__(self, parts_path: str) -> None:
        self.parts_path = parts_path
        self._parts: list[Table] = []

    def iterrows(self) -> Iterator[tuple[int, list[Any]]]:
        ndx = 0
        for part in self._parts:
            for _, row in part.iterrows():
                yield ndx, row
                ndx += 1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PartitionedTable) and self.parts_path == other.parts_path

    __hash__ = None  # type: ignore[assignment]
