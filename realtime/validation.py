"""Checking what clients send before it touches the database: frames, ids and text.

One bad value must be its sender's error, never a database exception that fails a batch
of other people's sends or answers 500: every id is a whole number the database can
hold, every text is free of what PostgreSQL refuses (NUL) or cannot encode (a lone
surrogate) and of invisible control characters.
"""

import json
import re

MAX_FRAME_BYTES = 16_384
MAX_ID = 2**63 - 1  # the largest value of a bigint column, on PostgreSQL and SQLite
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() also accepts "²"
# C0 controls but tab, newline and carriage return; DEL; C1 controls; lone surrogates.
_BAD_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def parse_frame(text_data) -> tuple[dict, str | None]:
    """The frame as a dict with a string 'type', or ({}, what is wrong with it)."""
    if text_data is None or len(text_data) > MAX_FRAME_BYTES:
        return {}, "Frames are JSON text of at most 16 KB."
    try:
        frame = json.loads(text_data)
    except (ValueError, RecursionError):  # RecursionError: "[" * 8000
        return {}, "That frame is not valid JSON."
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        return {}, "A frame is a JSON object with a string 'type'."
    return frame, None


def is_whole(value, *, minimum: int = 1, maximum: int = MAX_ID) -> bool:
    """A JSON whole number in range (not a bool, a float or a string)."""
    return type(value) is int and minimum <= value <= maximum


def parse_id(text, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """A whole number from a URL or form value, or None if it is not one in range."""
    if not isinstance(text, str) or not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if minimum <= number <= maximum else None


def text_problem(text: str) -> str | None:
    """Why this text cannot be stored, or None: NUL, a lone surrogate or another
    invisible control character."""
    if _BAD_TEXT.search(text):
        return "That text contains a character that can't be stored (a control character)."
    return None
