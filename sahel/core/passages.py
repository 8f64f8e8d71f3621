"""The passages of a source's text nearest to a quote that is not verbatim in it: what an
editor is shown when a quote is refused, so that they can copy the source's own words.

- A quote that differs only in apostrophes, quotation marks, dashes or spaces (typed ' for
  the source's ’) is found exactly, and the source's span is given.
- Otherwise the text's sentences, alone and in adjacent pairs, are ranked by how much of
  the quote they contain in order (difflib's matching blocks over the lower-cased text),
  and the closest span of each of the best (from its first to its last matching block,
  widened to whole words) is given.

difflib (the standard library) rather than a search library: texts are a few tens of
kilobytes, candidates are pre-filtered by shared words, and the answer must be the
source's own characters, which difflib's blocks locate.
"""

import difflib
import itertools
import re
from dataclasses import dataclass

# Characters an editor's keyboard gives for the source's typographic ones.
LOOKALIKES = {
    "'": "'‘’ʼ′`´",
    '"': '"“”„«»″',
    "-": "-‐‑‒–—―−",
}
_CLASS_OF = {ch: key for key, chars in LOOKALIKES.items() for ch in chars}
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+|\n+")
_WORD = re.compile(r"\w+")
MAX_SHOWN = 300  # characters of a passage shown
MIN_LIKENESS = 0.45  # below this, a passage is no help
RUNNER_UP = 0.15  # passages this much less alike than the best are not shown


@dataclass(frozen=True)
class Passage:
    text: str  # the source's own characters
    exact: bool  # the quote differs from it only in look-alike characters or spaces


def nearest_passages(text: str, quote: str, limit: int = 2) -> list[Passage]:
    quote = quote.strip()
    if not text or not quote:
        return []
    exact = _lookalike_match(text, quote)
    if exact is not None:
        return [Passage(exact, exact=True)]
    candidates = _candidates(text)
    words = set(_WORD.findall(quote.lower()))
    # The sentences sharing the most words with the quote, then difflib over those.
    shortlist = sorted(
        candidates, key=lambda c: len(words & set(_WORD.findall(c.lower()))), reverse=True
    )[: 12 * limit]
    scored = []
    lowered = quote.lower()
    for candidate in shortlist:
        span = _closest_span(lowered, candidate)
        if span:
            # How alike the quote and the span are (difflib's ratio: a long span matching
            # scattered letters scores low).
            likeness = difflib.SequenceMatcher(None, lowered, span.lower(), autojunk=False)
            score = likeness.ratio()
            if score >= MIN_LIKENESS:
                scored.append((score, -len(span), span))
    scored.sort(reverse=True)
    found, seen = [], set()
    for score, _, span in scored:
        if score < scored[0][0] - RUNNER_UP:
            break
        if any(span in other or other in span for other in seen):
            continue
        seen.add(span)
        found.append(Passage(_shorten(span), exact=False))
        if len(found) == limit:
            break
    return found


def _lookalike_match(text: str, quote: str) -> str | None:
    pattern = []
    for ch in quote:
        if ch.isspace():
            if not pattern or pattern[-1] != r"\s+":
                pattern.append(r"\s+")
        elif ch in _CLASS_OF:
            pattern.append(f"[{re.escape(LOOKALIKES[_CLASS_OF[ch]])}]")
        else:
            pattern.append(re.escape(ch))
    match = re.search("".join(pattern), text, flags=re.IGNORECASE)
    return match.group(0) if match else None


def _candidates(text: str) -> list[str]:
    """The text's sentences, alone and in adjacent pairs, as slices of the text (the
    source's own characters, line breaks included)."""
    spans, start = [], 0
    for end in [*(m.start() for m in _SENTENCE_END.finditer(text)), len(text)]:
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    singles = [text[a:b].strip() for a, b in spans]
    pairs = [text[a:d].strip() for (a, _), (_, d) in itertools.pairwise(spans)]
    return singles + pairs


def _closest_span(quote: str, candidate: str) -> str:
    """The part of `candidate` from its first to its last block matching `quote` (blocks
    of four characters or more: words, not letters), widened to whole words."""
    matcher = difflib.SequenceMatcher(None, quote, candidate.lower(), autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size >= 4]
    if not blocks:
        return ""
    start, end = blocks[0].b, blocks[-1].b + blocks[-1].size
    while start > 0 and candidate[start - 1].isalnum():
        start -= 1
    while end < len(candidate) and candidate[end].isalnum():
        end += 1
    return candidate[start:end].strip()


def _shorten(span: str) -> str:
    return span if len(span) <= MAX_SHOWN else span[: MAX_SHOWN - 1].rstrip() + "…"
