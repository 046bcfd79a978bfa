"""Changing a run's tags: ``+tag`` (or a bare ``tag``) adds, ``-tag`` removes. Rewrites
``meta.json`` atomically through :mod:`runicorn.format`, keeping every other key as it was."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from runicorn import format as fmt
from runicorn.errors import ConfigError, StorageError
from runicorn.files import write_json_atomic

MAX_TAG_CHARS = 128


@dataclass(frozen=True)
class TagChange:
    tag: str
    add: bool


def parse_tag_changes(words: list[str]) -> list[TagChange]:
    """``["+a", "-b", "c"]`` -> add a, remove b, add c. ConfigError for an empty or odd tag."""
    changes = []
    for word in words:
        add = not word.startswith("-")
        tag = word[1:] if word[:1] in "+-" and word else word
        if not tag.strip() or tag[:1] in "+-" or len(tag) > MAX_TAG_CHARS or tag != tag.strip():
            raise ConfigError(
                f"{word!r} is not a tag change",
                f"write +TAG to add, -TAG to remove (a tag: 1-{MAX_TAG_CHARS} characters, "
                "not starting with + or -, no spaces around it)",
            )
        changes.append(TagChange(tag, add))
    return changes


def run_tags(run_dir: Path) -> list[str]:
    """The tags ``meta.json`` records now (none when it has none)."""
    tags = (fmt.read_json(Path(run_dir) / fmt.META_FILE) or {}).get(fmt.TAGS_KEY)
    return [str(t) for t in tags] if isinstance(tags, list) else []


def change_tags(run_dir: Path, changes: list[TagChange]) -> list[str]:
    """Apply ``changes`` in order to the run's tags and return them. A run without ``meta.json``
    (the PyPI package's oldest runs may have only ``status.json``) gets one holding the tags.
    StorageError for a ``meta.json`` that is not a JSON object: it is left untouched."""
    path = Path(run_dir) / fmt.META_FILE
    meta = fmt.read_json(path) if path.exists() else {}
    if meta is None:
        raise StorageError(
            f"cannot change the tags of {run_dir}: {fmt.META_FILE} is not a valid JSON object",
            f"the file was left as it is; repair {path} by hand first",
        )
    old = meta.get(fmt.TAGS_KEY)
    tags = [str(t) for t in old] if isinstance(old, list) else []
    for change in changes:
        if change.add and change.tag not in tags:
            tags.append(change.tag)
        elif not change.add:
            tags = [t for t in tags if t != change.tag]
    if tags != old:
        meta[fmt.TAGS_KEY] = tags
        try:
            write_json_atomic(path, meta)
        except OSError as exc:
            raise StorageError(
                f"cannot write {path}: {exc.strerror or exc}",
                "check that the storage root is writable by you",
            ) from exc
    return tags
