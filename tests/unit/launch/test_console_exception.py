"""ConsoleException: the last Python exception a wrapped command printed (docs/run.md)."""

from __future__ import annotations

from runicorn.launch.console_exception import ConsoleException

TRACEBACK = (
    "epoch 1\r\n"
    "Traceback (most recent call last):\r\n"
    '  File "train.py", line 6, in <module>\r\n'
    "    check(5)\r\n"
    "    ^^^^^^^^\r\n"
    "\x1b[35mValueError\x1b[0m: bad lr\r\n"
)


def feed_in_pieces(text: str, size: int) -> ConsoleException:
    watch = ConsoleException()
    for at in range(0, len(text), size):
        watch.feed(text[at : at + size])
    watch.close()
    return watch


def test_the_exception_line_is_read_however_the_console_text_is_cut() -> None:
    for size in (1, 7, len(TRACEBACK)):
        watch = feed_in_pieces(TRACEBACK, size)
        assert watch.error == "ValueError: bad lr"
        assert watch.traceback is not None and watch.traceback.splitlines()[2] == "    check(5)"


def test_a_chained_exception_leaves_the_last_one_and_later_output_keeps_it() -> None:
    chained = TRACEBACK + (
        "\r\nDuring handling of the above exception, another exception occurred:\r\n\r\n"
        "Traceback (most recent call last):\r\n"
        '  File "train.py", line 9, in <module>\r\n'
        "mypkg.errors.DataError: shard 3 is missing\r\n"
        "cleaning up\r\n"
    )
    assert feed_in_pieces(chained, 5).error == "mypkg.errors.DataError: shard 3 is missing"


def test_no_traceback_no_error_and_an_unfinished_last_line_counts() -> None:
    assert feed_in_pieces("loss 0.1\nError at step 3 of 10\n", 4).error is None
    assert (
        feed_in_pieces("Traceback (most recent call last):\n  File x\nKeyboardInterrupt", 3).error
        == "KeyboardInterrupt"
    )
