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

import functools
import itertools
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


# ------------------------------------------------------------------------------------------
# The matcher's keys (sahel.read.matcher ranks what they fetch).
#
# Every spelling is folded, cut into tokens and its particles put in one canonical form
# (abou/bou -> abu, el/ad/ud/ul/... -> al, wuld -> ould, ben/ibn -> bin, abdel/abdul ->
# abd al, "wal"/"wa-l" -> wa al, elided French articles l'/d' split off). From the canonical
# tokens come the keys it is found by: the folded whole, the whole joined without spaces,
# and per content token its form, its consonant skeleton (three consonants or more) and a
# phonetic key (Metaphone, four letters or more), with joined and split forms of particles
# glued to a word ("AgX" / "Ag X", "Alkassoum" / "Al Kassoum"). An acronym has one key only,
# its folded letters: it is matched as an acronym, never by skeleton.

# Arabic script, letter by letter, in the common English/French scholarly transliteration
# without diacritics (unidecode maps some letters to nothing and ignores the article).
_ARABIC = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ء": "", "ؤ": "u", "ئ": "i",
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh",
    "ر": "r", "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z",
    "ع": "", "غ": "gh", "ف": "f", "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n",
    "ه": "h", "ة": "a", "و": "w", "ي": "y", "ى": "a", "پ": "p", "چ": "ch", "ڤ": "v",
    "گ": "g", "ی": "y", "ک": "k", "ـ": "",
}  # fmt: skip
_ARABIC_LETTERS = re.compile("[\u0600-\u06ff]")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670]")  # harakat, shadda, sukun, dagger alif
_ARABIC_WORD = re.compile("[\u0621-\u064a\u0671-\u06d3]+")
_ELIDED = re.compile(r"\b([ldLD])['’‘`´ʼ](?=\w)")  # l'Azawad, d'Ansar: the article apart


def _arabic_word(word: str) -> str:
    prefix = ""
    if word.startswith("وال") and len(word) > 4:  # wa-l-: "and the"
        prefix, word = "wa al-", word[3:]
    elif word.startswith("ال") and len(word) > 3:
        prefix, word = "al-", word[2:]
    letters = []
    for position, char in enumerate(word):
        if char == "و" and position > 0:
            letters.append("u")  # a long vowel inside a word, a consonant first
        elif char == "ي" and position > 0:
            letters.append("i")
        else:
            letters.append(_ARABIC.get(char, char))
    return prefix + "".join(letters)


def transliterate_arabic(text: str) -> str:
    """Arabic script to Latin letters ('أبو الهمام' -> 'abu al-hmam'); other text as it is."""
    if not _ARABIC_LETTERS.search(text):
        return text
    text = _ARABIC_MARKS.sub("", text)
    return _ARABIC_WORD.sub(lambda m: _arabic_word(m.group()), text)


def fold(text: str) -> str:
    """The folded form every key starts from: Arabic transliterated, elided articles apart,
    then as `normalize_name`."""
    return normalize_name(_ELIDED.sub(r"\1 ", transliterate_arabic(text)))


_CANONICAL = {
    **dict.fromkeys(["abou", "abo", "aboo", "bou", "abu"], "abu"),
    **dict.fromkeys(
        ["al", "el", "ad", "ud", "ul", "ar", "as", "ash", "at", "az", "an", "ed", "er", "es"],
        "al",
    ),
    **dict.fromkeys(["ould", "wuld", "wald", "ould"], "ould"),
    **dict.fromkeys(["ag", "agg"], "ag"),
    **dict.fromkeys(["bin", "ben", "ibn", "bn", "ibnu"], "bin"),
    "l": "al",  # wa-l-Muslimin, l'Azawad
}
_ABD_PREFIXES = ("abdel", "abdal", "abdul", "abdoul", "abdol")
_JOINED = {
    "wal": ["wa", "al"],
    "abdel": ["abd", "al"],
    "abdul": ["abd", "al"],
    "abul": ["abu", "al"],
    "aboul": ["abu", "al"],
}
_ABU_PREFIXES = ("aboul", "abul")
# What may be glued to the next word, and is split off as another form of the token.
_GLUED = ("al", "el", "ag", "ould", "ben", "bin", "abu", "abou", "bou")

# Tokens that are not the name itself: the skeleton's particles as the matcher's tokens
# spell them (canonical: el/ad/an ... -> al, ben/ibn -> bin), and two more function words.
# "ult" stays a word of the name here, as it always was for the matcher.
PARTICLE_TOKENS = frozenset(_CANONICAL.get(t, t) for t in PARTICLES - {"ult"}) | {"en", "on"}
_FUNCTION_WORDS = PARTICLE_TOKENS - {"al", "ag", "ould", "bin"}
LIGHT_TOKENS = frozenset(["abu", "abd", "umm"])  # a part of a name, but a common one

_ACRONYM = re.compile(r"^(?:[A-Z0-9]\.?){2,8}$")


def is_acronym(text: str, kind: str = "") -> bool:
    """An acronym: a name of kind `acronym`, or one word of capitals (JNIM, A.Q.I.M.)."""
    return kind == "acronym" or bool(_ACRONYM.match(text.strip()))


@functools.lru_cache(maxsize=50_000)
def _canonical(token: str) -> tuple[str, ...]:
    """One folded token in canonical form: one token, or a particle glued to it apart."""
    if token in _JOINED:
        return tuple(_JOINED[token])
    prefix = next((p for p in _ABD_PREFIXES if token.startswith(p)), None)
    if prefix and len(token) - len(prefix) >= 4:
        return ("abd", "al", token[len(prefix) :])
    prefix = next((p for p in _ABU_PREFIXES if token.startswith(p)), None)
    if prefix and len(token) - len(prefix) >= 4:
        return ("abu", "al", token[len(prefix) :])
    return (_CANONICAL.get(token, token),)


def canonical_tokens(text: str) -> list[str]:
    """The folded tokens with their particles in canonical form."""
    return [canonical for token in fold(text).split() for canonical in _canonical(token)]


def content_tokens(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t not in PARTICLE_TOKENS] or tokens


def skeleton(token: str) -> str:
    return word_skeleton(token)


def phonetic(token: str) -> str:
    import jellyfish

    return jellyfish.metaphone(token)


_ASSIMILATED = re.compile(r"^[aeu]([dtszrn])\1(\w{2,})$")  # ad-Din, ed-Dine, ud-Din glued


def split_forms(token: str) -> list[str]:
    """Other forms the token may be typed in: a particle glued to the word, split off
    ('agghali' -> 'ghali', 'alkassoum' -> 'kassoum', 'eddine' -> 'dine'), and without a
    plural or demonym -s ('tuaregs' -> 'tuareg') or a silent final h ('peulh' -> 'peul')."""
    forms = [token[len(p) :] for p in _GLUED if token.startswith(p) and len(token) - len(p) >= 4]
    assimilated = _ASSIMILATED.match(token)
    if assimilated:
        forms.append(assimilated.group(1) + assimilated.group(2))
    if len(token) >= 4 and token.endswith("s") and not token.endswith("ss"):
        forms.append(token[:-1])
    if len(token) >= 4 and token.endswith("h") and token[-2] in "aeioul":
        forms.append(token[:-1])  # a final h that is not pronounced (Peulh, Talhah)
    return forms


def token_keys(token: str) -> set[str]:
    keys = {f"t:{token}"}
    bones = skeleton(token)
    if len(bones) >= 3:
        keys.add(f"s:{bones}")
        # Its beginnings, for a query still being typed ('Belmoukh' -> 'blmk').
        keys.update(f"x:{bones[:end]}" for end in range(3, len(bones)))
    if len(token) >= 4 and token.isalpha():
        keys.add(f"p:{phonetic(token)}")
    return keys


# An assimilated article glued inside a word: 'Ansaruddin' is 'Ansar ud-Din', 'Ansar al-Din'.
_GLUED_ARTICLE = re.compile(r"(?<=[b-df-hj-np-tv-z])[aeiu]([dtszrn])\1(?=[a-z]{2})")


def joined_form(tokens: list[str]) -> str:
    """The canonical tokens joined without spaces, an assimilated article inside them
    written 'al' ('ansaruddin' and 'ansar al din' -> 'ansaraldin')."""
    return _GLUED_ARTICLE.sub(r"al\1", "".join(tokens))


def prefix_key(token: str) -> str | None:
    """The key of a last query word as the beginning of a word (three consonants or more)."""
    bones = skeleton(token)
    return f"x:{bones}" if len(bones) >= 3 else None


def name_keys(text: str, kind: str = "") -> set[str]:
    """The keys a name (or a query) is found by (see above)."""
    tokens = canonical_tokens(text)
    if not tokens:
        return set()
    joined = "".join(tokens)
    if is_acronym(text, kind):
        return {f"a:{joined}"}
    keys = {f"f:{' '.join(tokens)}", f"j:{joined_form(tokens)}", f"a:{joined}"}
    content = content_tokens(tokens)
    forms = set(content)
    for token in content:
        forms.update(split_forms(token))
    for left, right in itertools.pairwise(tokens):  # 'Al Kassoum' ~ 'Alkassoum'
        if right not in PARTICLE_TOKENS and left not in _FUNCTION_WORDS:
            forms.add(left + right)
    for form in forms:
        if form not in PARTICLE_TOKENS:
            keys |= token_keys(form)
    return keys
