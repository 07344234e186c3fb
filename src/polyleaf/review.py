"""Review by a qualified medical translator, bound to the words reviewed.

A reviewer signs messages, not catalogs. Signing records, per message, a
fingerprint of its context, English and translation (see
:mod:`polyleaf.reviewfile`). A message counts as reviewed only while that
fingerprint matches the catalog, so any later edit of the English or of the
translation makes it unreviewed again; a stale record is never carried
forward, only replaced by signing the message again. A catalog is *reviewed*
when every message is, *partly reviewed* when some are, a *draft* otherwise.

The translator recorded in the catalog cannot sign it: ISO 17100 asks for
revision by a second person.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from babel.messages.catalog import Catalog, Message

from polyleaf.catalogs import MessageKey, confined, message_key
from polyleaf.errors import CatalogError, PolyleafError
from polyleaf.reviewfile import (
    Record,
    ReviewFile,
    Signature,
    fingerprint,
    read_review,
    review_path,
    write_review,
)

if TYPE_CHECKING:
    from polyleaf.catalogs import CatalogStore
    from polyleaf.locales import LocaleInfo


class Status(StrEnum):
    """The one vocabulary for a leaflet's review status, on paper, in the CLI, API and web page."""

    REVIEWED = "reviewed"
    PARTLY_REVIEWED = "partly reviewed"
    DRAFT = "draft"
    #: Decided by callers that run the safety gate: it outranks any review.
    BLOCKED = "blocked by the gate"


class State(StrEnum):
    """Whether one message counts as reviewed, and if not, why."""

    REVIEWED = "reviewed"
    NEVER_SIGNED = "never signed"
    TRANSLATION_CHANGED = "translation changed"
    ENGLISH_CHANGED = "English changed"
    UNTRANSLATED = "not translated"
    FUZZY = "marked fuzzy"
    MISSING = "not in the catalog"


def texts(message: Message) -> tuple[str, str | None, tuple[str, ...]]:
    """A message's English singular, English plural (or None) and translated forms."""
    if isinstance(message.id, str):
        msgid, plural = message.id, None
    else:
        msgid, plural = message.id[0], message.id[1]
    string = message.string
    forms = (
        (string or "",) if not isinstance(string, list | tuple) else tuple(s or "" for s in string)
    )
    return msgid, plural, forms


def message_fingerprint(message: Message) -> str:
    return fingerprint(message.context, *texts(message))


def message_id(key: MessageKey) -> str:
    """A short id that names a message on the command line and as its XLIFF unit id."""
    return hashlib.sha256(json.dumps(list(key), ensure_ascii=False).encode()).hexdigest()[:12]


def translated(message: Message) -> bool:
    return all(form.strip() for form in texts(message)[2])


# -- who may sign -------------------------------------------------------------

_HONORIFICS = {"dr", "dra", "prof", "mr", "mrs", "ms", "mx", "dott", "herr", "frau", "pr"}


def person(text: str) -> str:
    """A name compared loosely: case, accents, spaces, titles, e-mail and credential ignored."""
    text = re.sub(r"<[^>]*>", " ", text).split(",", 1)[0]
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    words = re.findall(r"\w+", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))
    while words[:1] and words[0] in _HONORIFICS:
        words = words[1:]
    return " ".join(words)


@dataclass(frozen=True)
class Reviewer:
    name: str
    credential: str

    @classmethod
    def parse(cls, text: str) -> Reviewer:
        name, _, credential = text.partition(",")
        if not person(name) or not credential.strip():
            raise PolyleafError(
                f"--by {text!r}: give the reviewer as 'Name, credential', "
                "e.g. 'Dr Ana Ruiz, certified medical translator'"
            )
        return cls(" ".join(name.split()), " ".join(credential.split()))

    def __str__(self) -> str:
        return f"{self.name}, {self.credential}"


#: A credit line of a catalog's header comment, as gettext and Weblate write them.
_CREDIT = re.compile(r"^#?\s*([^<>#]+?)\s*<[^<>]*>,\s*\d{4}")
#: A translator comment naming who translated one message: ``# translator: Ana Ruiz``.
_TRANSLATOR = re.compile(r"^\s*translator:\s*(.+)$", re.IGNORECASE)


def catalog_translators(catalog: Catalog) -> dict[str, str]:
    """The catalog's translators (Last-Translator and credit lines), by normalised name."""
    names = [catalog.last_translator or ""]
    names += [
        m.group(1) for m in map(_CREDIT.match, (catalog.header_comment or "").splitlines()) if m
    ]
    return {person(name): name.strip() for name in names if person(name)}


def message_translators(message: Message) -> dict[str, str]:
    names = [m.group(1) for m in map(_TRANSLATOR.match, message.user_comments) if m]
    return {person(name): name.strip() for name in names if person(name)}


# -- status -------------------------------------------------------------------


@dataclass(frozen=True)
class MessageReview:
    key: MessageKey
    state: State
    message: Message | None  #: the message in the catalog now
    record: Record | None  #: its sign-off: current when reviewed, stale otherwise

    @property
    def reviewed(self) -> bool:
        return self.state is State.REVIEWED

    @property
    def id(self) -> str:
        return message_id(self.key)


@dataclass(frozen=True)
class ReviewSummary:
    messages: tuple[MessageReview, ...]
    signatures: tuple[Signature, ...] = ()

    @property
    def total(self) -> int:
        return len(self.messages)

    @property
    def reviewed_count(self) -> int:
        return sum(m.reviewed for m in self.messages)

    @property
    def unreviewed(self) -> tuple[MessageReview, ...]:
        return tuple(m for m in self.messages if not m.reviewed)

    @property
    def status(self) -> Status:
        if self.total and self.reviewed_count == self.total:
            return Status.REVIEWED
        return Status.PARTLY_REVIEWED if self.reviewed_count else Status.DRAFT

    @property
    def reviewers(self) -> tuple[Reviewer, ...]:
        """Who signed the messages that are reviewed now, most messages first."""
        counts = Counter(
            Reviewer(m.record.by, m.record.credential)
            for m in self.messages
            if m.reviewed and m.record
        )
        return tuple(sorted(counts, key=lambda r: (-counts[r], r.name)))

    @property
    def reviewed_on(self) -> date | None:
        """The latest sign-off among the messages that are reviewed now."""
        dates = [m.record.on for m in self.messages if m.reviewed and m.record]
        return max(dates, default=None)

    def describe(self) -> str:
        """One line: "reviewed by ... on ...", "partly reviewed: 40 of 109 messages", "draft"."""
        if self.status is Status.REVIEWED:
            names = "; ".join(str(r) for r in self.reviewers)
            return f"reviewed by {names} on {self.reviewed_on}"
        if self.status is Status.PARTLY_REVIEWED:
            return f"partly reviewed: {self.reviewed_count} of {self.total} messages"
        return "draft"


def _predecessor(key: MessageKey, message: Message | None, orphans: list[Record]) -> Record | None:
    """The record of this message before its English (or section) changed, if one is left."""
    context, msgid = key
    previous = list(message.previous_id) if message is not None else []
    for record in orphans:
        if record.context == context and previous and record.msgid == previous[0]:
            return record
    for record in orphans:
        if record.msgid == msgid:
            return record
    ratios = [
        (difflib.SequenceMatcher(None, record.msgid, msgid).ratio(), record)
        for record in orphans
        if record.context == context
    ]
    best = max(ratios, key=lambda pair: pair[0], default=None)
    return best[1] if best and best[0] >= 0.6 else None


def status(
    catalog: Catalog, review: ReviewFile, source_keys: Iterable[MessageKey] | None = None
) -> ReviewSummary:
    """Each message's review state; *source_keys* are the messages the leaflet uses now
    (default: every message of the catalog)."""
    _check_locale(catalog, review)
    entries = {message_key(m): m for m in catalog if m.id}
    keys = list(entries) if source_keys is None else list(source_keys)
    considered = set(keys)
    orphans = [record for key, record in review.records.items() if key not in considered]
    states = []
    for key in keys:
        message = entries.get(key)
        record = review.records.get(key)
        if record is None:
            record = _predecessor(key, message, orphans)
        if message is None:
            state = State.MISSING
        elif not translated(message):
            state = State.UNTRANSLATED
        elif message.fuzzy:
            state = State.FUZZY
        elif record is None:
            state = State.NEVER_SIGNED
        elif record.key == key and record.fingerprint == message_fingerprint(message):
            state = State.REVIEWED
        elif record.key == key and record.msgid_plural == texts(message)[1]:
            state = State.TRANSLATION_CHANGED
        else:
            state = State.ENGLISH_CHANGED
        states.append(MessageReview(key, state, message, record))
    return ReviewSummary(tuple(states), review.signatures)


def document_review(
    catalogs: CatalogStore,
    leaflet_id: str,
    locale: LocaleInfo,
    source_keys: Iterable[MessageKey] | None = None,
) -> ReviewSummary | None:
    """A leaflet's review in *locale*: its catalog against the side file beside it
    (None for the source language, which nobody translates)."""
    catalog = catalogs.get(leaflet_id, locale)
    if catalog is None:
        return None
    path = review_path(catalogs.project.catalog_path(leaflet_id, locale))
    if path.is_symlink():
        confined(catalogs.project.root, path)
    return status(catalog, read_review(path), source_keys)


def _locale(catalog: Catalog) -> str | None:
    return str(catalog.locale) if catalog.locale else None


def _check_locale(catalog: Catalog, review: ReviewFile) -> None:
    signed, now = review.locale, _locale(catalog)
    if signed and now and signed.replace("-", "_") != now.replace("-", "_"):
        raise CatalogError(
            review.path,
            None,
            f"signed for locale {signed!r}, but its catalog is {now!r}; "
            "a review file belongs to one catalog: delete this copy and sign again",
        )


def diff(summary: ReviewSummary) -> tuple[MessageReview, ...]:
    """The messages signed once and not reviewed now: what changed since the sign-off."""
    return tuple(m for m in summary.messages if m.record is not None and not m.reviewed)


_TOKEN = re.compile(r"\s+|[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> str:
    """*new* with what changed from *old* marked as ``[-removed-]{+added+}``."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append("".join(a[i1:i2]))
            continue
        if i2 > i1:
            out.append("[-" + "".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + "".join(b[j1:j2]) + "+}")
    return "".join(out)


def render_diff(changes: Sequence[MessageReview]) -> list[str]:
    """English and translation, as signed and as now, per changed message."""
    lines = []
    for change in changes:
        record = change.record
        assert record is not None
        now_msgid, _, now_forms = (
            texts(change.message) if change.message else (change.key[1], None, ())
        )
        lines.append(
            f"{change.key[0] or '-'} · {change.id} · {change.state} · "
            f"signed by {record.by}, {record.credential} on {record.on}"
        )
        lines.append(f"  English:     {word_diff(record.msgid, now_msgid)}")
        for index, old in enumerate(record.msgstr):
            new = now_forms[index] if index < len(now_forms) else ""
            label = "Translation:" if len(record.msgstr) == 1 else f"Form [{index}]:"
            lines.append(f"  {label:<12} {word_diff(old, new)}")
    return lines


# -- signing ------------------------------------------------------------------


@dataclass(frozen=True)
class SignResult:
    signed: tuple[MessageKey, ...]
    skipped: tuple[tuple[MessageKey, State], ...]  #: untranslated or fuzzy, so not signed
    written: bool


def select(catalog: Catalog, selectors: Sequence[str]) -> list[Message]:
    """The messages named by id (or its first 6+ characters), English text or section."""
    entries = [m for m in catalog if m.id]
    chosen: dict[MessageKey, Message] = {}
    for selector in selectors:
        by_id = [
            m
            for m in entries
            if len(selector) >= 6 and message_id(message_key(m)).startswith(selector)
        ]
        by_text = [m for m in entries if message_key(m)[1] == selector]
        by_section = [m for m in entries if m.context == selector]
        found = by_id or by_text or by_section
        if not found:
            raise PolyleafError(
                f"{selector!r} names no message; name one by its id (polyleaf review status "
                "lists them), its English text or its section"
            )
        if (by_id or by_text) and len(found) > 1:
            ids = ", ".join(message_id(message_key(m)) for m in found)
            raise PolyleafError(f"{selector!r} names {len(found)} messages ({ids}); name one by id")
        chosen.update((message_key(m), m) for m in found)
    return list(chosen.values())


def _refuse_translator(catalog: Catalog, messages: list[Message], reviewer: Reviewer) -> None:
    me = person(reviewer.name)
    translators = catalog_translators(catalog)
    if me in translators:
        raise PolyleafError(
            f"{reviewer.name} is this catalog's translator ({translators[me]}); "
            "a second qualified person must review it"
        )
    own = [m for m in messages if me in message_translators(m)]
    if own:
        raise PolyleafError(
            f"{reviewer.name} translated {len(own)} of these messages (first: "
            f"{message_id(message_key(own[0]))} {message_key(own[0])[1][:40]!r}); "
            "a second qualified person must review them"
        )


def sign(
    catalog: Catalog,
    path: Path,
    by: str | Reviewer,
    messages: Sequence[str] | None = None,
    today: date | None = None,
) -> SignResult:
    """Record *by*'s sign-off of the named messages (or all) in the side file at *path*.

    Only the messages signed get new records; the others keep theirs, stale or not.
    Signing all messages also sweeps records of messages no longer in the catalog.
    """
    reviewer = by if isinstance(by, Reviewer) else Reviewer.parse(by)
    today = today or date.today()
    targets = [m for m in catalog if m.id] if messages is None else select(catalog, messages)
    _refuse_translator(catalog, targets, reviewer)
    skipped = tuple(
        (message_key(m), State.UNTRANSLATED if not translated(m) else State.FUZZY)
        for m in targets
        if not translated(m) or m.fuzzy
    )
    if messages is not None and skipped:
        key, why = skipped[0]
        raise PolyleafError(f"{message_id(key)} {key[1][:40]!r} is {why}; it cannot be signed yet")
    signable = [m for m in targets if translated(m) and not m.fuzzy]
    if not signable:
        raise PolyleafError("nothing to sign: no message is translated and not fuzzy")
    review = read_review(path)
    _check_locale(catalog, review)
    keys = {message_key(m) for m in catalog if m.id}
    records = dict(review.records)
    if messages is None:
        records = {key: record for key, record in records.items() if key in keys}
    orphans = [record for key, record in records.items() if key not in keys]
    for message in signable:
        key = message_key(message)
        old = _predecessor(key, message, orphans) if key not in records else None
        if old is not None:
            records.pop(old.key, None)
        msgid, plural, forms = texts(message)
        records[key] = Record(
            context=message.context,
            msgid=msgid,
            msgid_plural=plural,
            msgstr=forms,
            fingerprint=fingerprint(message.context, msgid, plural, forms),
            by=reviewer.name,
            credential=reviewer.credential,
            on=today,
        )
    signatures = [
        s for s in review.signatures if (s.by, s.credential, s.on) != (*_id(reviewer), today)
    ]
    mine = sum(1 for r in records.values() if (r.by, r.credential, r.on) == (*_id(reviewer), today))
    signatures.append(
        Signature(by=reviewer.name, credential=reviewer.credential, on=today, messages=mine)
    )
    locale = _locale(catalog) or review.locale
    written = write_review(
        ReviewFile(path, records, tuple(signatures), locale), _catalog_name(path)
    )
    return SignResult(tuple(message_key(m) for m in signable), skipped, written)


def _id(reviewer: Reviewer) -> tuple[str, str]:
    return (reviewer.name, reviewer.credential)


def _catalog_name(path: Path) -> str:
    return path.name.removesuffix(".review.toml") + ".po"
