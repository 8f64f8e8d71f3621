"""Name normalisation shared by storage (search keys) and queries."""

import re

from unidecode import unidecode

_APOSTROPHES = re.compile(r"['’‘`´ʼʻʿʾ]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize_name(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form: 'Jama‘at' -> 'jamaat'."""
    text = _APOSTROPHES.sub("", text)
    text = unidecode(text).lower()
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NON_ALNUM.sub(" ", text).split())
