"""Name matching for a region where every name has five spellings.

Two keys are stored for every name and computed the same way for a query:

- `normalize_name`: case-, accent- and punctuation-insensitive text
  ("Jama‘at Nusrat" → "jamaat nusrat"); a query contained in it matches, ranked by how
  much of the name it covers.
- `name_skeleton`: one consonant skeleton per word, with particles dropped
  ("Abou al-Hammam" → " b hm ", "Abu al-Hamam" → " b hm "). French and English
  transliterations (ou/u, dj/j, ch/sh, q/k), doubled letters, vowels and semi-vowels all
  fold together, and word order does not matter. Every query word must match a word of the
  name (the last query word may be a prefix, the user may still be typing, when its skeleton
  has at least three consonants: shorter ones begin too many unrelated words).
"""

import re

from unidecode import unidecode

_APOSTROPHES = re.compile(r"['’‘`´ʼʻʿʾ]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")

# Articles and kinship particles that sources keep or drop at will: al-/el-/ad-..., "wa-l-",
# Tamasheq "ag" and Hassaniya "ould" (son of), and English/French function words.
PARTICLES = frozenset(
    [
        "a",
        "ad",
        "ag",
        "al",
        "an",
        "ar",
        "as",
        "ash",
        "at",
        "az",
        "d",
        "el",
        "ibn",
        "bin",
        "ben",
        "ould",
        "ult",
        "l",
        "ul",
        "wa",
        "w",
        "y",
        "the",
        "of",
        "for",
        "and",
        "in",
        "de",
        "du",
        "des",
        "la",
        "le",
        "les",
        "et",
    ]
)

# Applied in order to each word before vowels go.
_FOLDS = [
    ("tch", "ch"),
    ("sch", "sh"),
    ("dj", "j"),
    ("ch", "sh"),
    ("kh", "k"),
    ("gh", "g"),
    ("gu", "g"),
    ("ph", "f"),
    ("q", "k"),
    ("c", "k"),
    ("x", "ks"),
    ("z", "s"),
]
_VOWELS = re.compile(r"[aeiouyw]+")
_REPEATS = re.compile(r"(.)\1+")


def normalize_name(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form: 'Jama‘at' -> 'jamaat'."""
    text = _APOSTROPHES.sub("", text)
    text = unidecode(text).lower()
    text = _APOSTROPHES.sub("", text)
    return " ".join(_NON_ALNUM.sub(" ", text).split())


def word_skeleton(word: str) -> str:
    for old, new in _FOLDS:
        word = word.replace(old, new)
    skeleton = _REPEATS.sub(r"\1", _VOWELS.sub("", word))
    return skeleton or word  # an all-vowel word keeps its letters


def skeleton_words(text: str) -> list[str]:
    words = normalize_name(text).split()
    kept = [w for w in words if w not in PARTICLES] or words
    return [word_skeleton(w) for w in kept]


def name_skeleton(text: str) -> str:
    """Space-delimited word skeletons with a leading and trailing space: ' b hm '."""
    return f" {' '.join(skeleton_words(text))} "
