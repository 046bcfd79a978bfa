"""The ``events.columns`` frames: decoding ``events.jsonl`` blocks into columns, and their binary frames.

Written by the SDK (:mod:`runicorn.sdk.frames_writer`), read by the store, shipped whole by sync and
the mirror. It depends only on the format, so a training process that frames its events never
loads the read side.
"""
