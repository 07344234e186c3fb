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


def recall(expected_text: str, pdf_text: str, by_character: bool) -> tuple[int, int, Counter[str]]:
    """(words found, words expected, the missing ones)."""
    expected = words(expected_text, by_character)
    extracted = words(pdf_text, by_character)
    missing = expected - extracted
    total = sum(expected.values())
    return total - sum(missing.values()), total, missing
