"""How much of a leaflet's text comes back out of its PDF as the same words.

Used by the text-layer tests. Words are compared as multisets: every word of
the leaflet body (as rendered to HTML) must be found among the words pypdf
extracts, as often as it occurs. Chinese and Japanese are compared character
by character. A word hyphenated at a line end is joined again first.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

#: WeasyPrint draws an automatic hyphen as U+2010 at the end of the line.
SOFT_BREAK = re.compile("\u2010\\s*\\n")
CHARACTER_SCRIPTS = {"Hans", "Hant", "Jpan"}


class _BodyText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self._in_body = self._in_body or tag == "body"
        if tag in ("br", "p", "li", "h1", "h2", "h3"):
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self._in_body:
            self.parts.append(data)


def body_text(html: str) -> str:
    parser = _BodyText()
    parser.feed(html)
    return " ".join(parser.parts)


def _is_punctuation(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "PSZ"


def words(text: str, by_character: bool = False) -> Counter[str]:
    """Words of *text*: split at spaces and punctuation, and between digits and letters.

    Format characters (ZWNJ in Persian, the word joiners polyleaf puts between
    Hangul syllables) draw nothing and have no place in a text layer: they are
    left out on both sides.
    """
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = unicodedata.normalize("NFC", SOFT_BREAK.sub("", text))
    if by_character:
        return Counter(ch for ch in text if not ch.isspace() and not _is_punctuation(ch))
    found: Counter[str] = Counter()
    cleaned = "".join(" " if _is_punctuation(ch) and ch not in "'’" else ch for ch in text)
    for token in cleaned.split():
        for part in re.findall(r"\d+|\D+", token):
            part = part.strip("'’")
            if part:
                found[part] += 1
    return found


#: What readers do to text that the PDF holds correctly. A word counts as
#: given back under one of these names only where the text shows that case.
#: Both readers order a right-to-left line by their own simplified bidi rules
#: and move the space where a left-to-right run (a Latin word, a number)
#: meets the Arabic text, so "المادة Sotret" comes back as "المادةSotret"
#: (poppler: the left-to-right run takes the space on its left; pypdf: runs
#: are written in drawing order). Counted only for words that come back split
#: or joined at a change of script, or joined on a line that holds such a run.
BIDI_SPACE = "space moved beside a left-to-right run (bidi)"
#: poppler's pdftotext drops a hyphen-minus that ends a line and joins the
#: halves ("over-the-" + "counter" -> "over-thecounter").
LINE_END_HYPHEN = "hyphen at a line end dropped (poppler)"
#: A word hyphenated at the foot of a page: the page's footer comes between
#: its halves.
PAGE_BREAK_HYPHEN = "word hyphenated across a page break"


@dataclass
class Recall:
    found: int
    total: int
    missing: Counter[str]
    excused: Counter[str] = field(default_factory=Counter)  #: reason -> words

    @property
    def percent(self) -> float:
        return 100 * self.found / self.total


_RUN = re.compile("[\x00-\u024f]+|[^\x00-\u024f]+")  # Latin, or not


def _bidi_moved(missing: Counter[str], surplus: Counter[str]) -> int:
    """Missing words that come back whole, but split or joined at a script change."""
    joined = Counter(
        run for t, n in surplus.items() for run in _RUN.findall(t) * n if len(_RUN.findall(t)) > 1
    )
    alone = Counter({t: n for t, n in surplus.items() if len(_RUN.findall(t)) == 1})
    moved = 0
    for word in list(missing):
        runs = _RUN.findall(word)
        for _ in range(missing[word]):
            pools = [joined] if len(runs) == 1 else [joined, alone]
            sources = [next((pool for pool in pools if pool[run] > 0), None) for run in runs]
            if None in sources or any(
                sources[i][run] < runs.count(run) for i, run in enumerate(runs)
            ):
                break
            for run, source in zip(runs, sources, strict=True):
                source[run] -= 1
            missing[word] -= 1
            moved += 1
    return moved


def _beside_left_to_right(token: str, pdf_text: str) -> bool:
    """Whether a line holding *token* also holds a left-to-right run (Latin, digits)."""
    return any(
        token in "".join(words(line)) and re.search("[0-9A-Za-z]", line)
        for line in pdf_text.splitlines()
    )


def recall(expected_text: str, pdf_text: str, by_character: bool, rtl: bool = False) -> Recall:
    """How many of the expected words the PDF's text gives back, and which not.

    *rtl*: the text is a right-to-left locale's, where BIDI_SPACE applies.
    """
    expected = words(expected_text, by_character)
    extracted = words(pdf_text, by_character)
    total = sum(expected.values())
    missing = expected - extracted
    surplus = extracted - expected
    excused: Counter[str] = Counter()
    if rtl:
        excused[BIDI_SPACE] = _bidi_moved(missing, surplus)
    hyphenated = unicodedata.normalize("NFC", expected_text)
    for token in list(surplus):  # two words come back joined
        for cut in range(1, len(token)):
            first, second = token[:cut], token[cut:]
            if not (missing[first] and missing[second]):
                continue
            if f"{first}-{second}" in hyphenated:
                reason = LINE_END_HYPHEN
            elif rtl and _beside_left_to_right(token, pdf_text):
                reason = BIDI_SPACE
            else:
                continue
            missing.subtract([first, second])
            excused[reason] += 2
            break
    for word in list(missing):  # one word comes back as two halves
        for cut in range(1, len(word)):
            first, second = word[:cut], word[cut:]
            # The first half may have been joined to the footer's first word.
            if missing[word] and surplus[second] and f"{first}\u2010" in pdf_text:
                missing[word] -= 1
                surplus[second] -= 1
                excused[PAGE_BREAK_HYPHEN] += 1
                break
    missing = +missing
    return Recall(total - sum(missing.values()), total, missing, +excused)
