"""The one bounded map of the store's readers (runicorn/store/lru.py): what is asked about
stays, what nobody asked about for longest goes first."""

from __future__ import annotations

import threading

from runicorn.store.lru import LRU, SizedLRU


def test_the_least_recently_used_entry_goes_first() -> None:
    kept: LRU[str, int] = LRU(2)
    kept.put("a", 1)
    kept.put("b", 2)
    assert kept.get("a") == 1  # "a" is now the most recent: "b" goes next
    kept.put("c", 3)
    assert "b" not in kept and kept.get("a") == 1 and kept.get("c") == 3 and len(kept) == 2


def test_get_or_add_makes_an_entry_once_and_keeps_it_recent() -> None:
    made: list[str] = []
    kept: LRU[str, str] = LRU(2)

    def make(key: str) -> str:
        made.append(key)
        return key.upper()

    assert kept.get_or_add("a", lambda: make("a")) == "A"
    assert kept.get_or_add("b", lambda: make("b")) == "B"
    assert kept.get_or_add("a", lambda: make("a")) == "A"  # kept: not made again, now recent
    assert kept.get_or_add("c", lambda: make("c")) == "C"  # "b" goes
    assert made == ["a", "b", "c"] and "b" not in kept and "a" in kept


def test_putting_a_key_again_replaces_its_value_without_growing() -> None:
    kept: LRU[str, int] = LRU(2)
    kept.put("a", 1)
    kept.put("a", 2)
    assert kept.get("a") == 2 and len(kept) == 1 and kept.get("missing") is None


def test_many_threads_never_hold_more_than_the_bound() -> None:
    kept: LRU[int, int] = LRU(8)

    def work(base: int) -> None:
        for i in range(2000):
            kept.get_or_add((base * 7 + i) % 50, lambda: base)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(kept) == 8


def test_the_sized_map_keeps_its_bytes_dropping_the_least_recent_and_never_an_oversized_entry() -> None:
    kept: SizedLRU[str, str] = SizedLRU(max_bytes=10)
    kept.put("a", "A", 4)
    kept.put("b", "B", 4)
    assert kept.get("a") == "A"  # "a" is now the most recent: "b" goes next
    kept.put("c", "C", 4)
    assert kept.get("b") is None and kept.get("a") == "A" and kept.nbytes == 8 and len(kept) == 2
    kept.put("a", "A2", 5)  # a new size for a kept key replaces it
    assert kept.get("a") == "A2" and kept.nbytes == 9
    kept.put("big", "X", 11)
    assert kept.get("big") is None and kept.nbytes == 9
