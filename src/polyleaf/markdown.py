"""Markdown leaflet sources: front matter, messages, translated HTML.

A leaflet is a CommonMark file under ``templates/`` (markdown-it-py, raw HTML
off, typographer off) with YAML front matter for what is not prose::

    ---
    code: PL-ISO20-01
    revision: 2026-11-25
    ---
    # Isotretinoin 20mg: ...

    ## Pregnancy warning {#pregnancy-warning .safety}

A heading's trailing ``{#id .class}`` (Pandoc style) names its section; the
class ``safety`` makes the section safety-required, and its id becomes the
gettext context of every message in it. A ``{#id .class}`` line of its own
gives the same to the block below it (a paragraph, a list, a box), and
``::: name`` ... ``:::`` makes one of the documented building blocks (see
:data:`BOXES`).

The source is segmented the way Sphinx and mdpo do: one message per heading,
paragraph, list item or table cell, whose msgid is the inline Markdown. To
render a translation, each inline token's content is swapped for its msgstr
*after* block parsing and *before* inline parsing, so a translation can carry
inline Markdown (bold, links) but no block structure, no attributes and, with
raw HTML off, no tags: ``<span style="display:none">`` prints as text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.attrs import attrs_block_plugin
from mdit_py_plugins.attrs.parse import ParseError
from mdit_py_plugins.attrs.parse import parse as parse_attrs
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from polyleaf.errors import PolyleafError
from polyleaf.project import LeafletCode

#: The building blocks a leaflet can use, as ``::: name`` boxes.
BOXES: dict[str, str] = {
    "safety-box": "a framed box for the most important safety points",
    "serious": "a red-edged box for serious side effects",
    "important": "a shaded box for instructions that must be followed",
    "note": "a quiet box for a side note",
}
#: Classes a ``{.class}`` may give a heading or block: the boxes, and these.
CLASSES: dict[str, str] = {
    "safety": "the section is safety-required: the gate checks every message of it",
    "points": "on a numbered list: numbered points, each with a heading",
    "audience": "on the paragraph under the title: who the leaflet is for",
    "disclaimer": "on a paragraph: the leaflet does not replace advice",
    "source-note": "on a paragraph: where the points of a box come from",
    **BOXES,
}
ATTRIBUTES = ("id", "class")
SECTION_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_TRAILING_ATTRS = re.compile(r"(?:^|[ \t]+)(\{[^{}\n]*\})[ \t]*$")
_CLOSING_HASHES = re.compile(r"(?:^|[ \t]+)#+$")
#: Block tokens whose inline content is one message, by the kind reported.
_MESSAGE_PARENTS = {
    "heading_open": "heading",
    "paragraph_open": "paragraph",
    "th_open": "table cell",
    "td_open": "table cell",
}
MAX_FRONT_MATTER = 8192


class FrontMatter(BaseModel):
    """What a leaflet says about itself above its text."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: LeafletCode = Field(description="leaflet code printed on every page")
    revision: dt.date = Field(description="revision date printed on every page")
    #: The paper the leaflet is always printed on (a reminder card: a6);
    #: none means the paper asked for.
    paper: str | None = None
    #: The Jinja layout that frames the text.
    layout: str = "leaflet.html"


@dataclass(frozen=True)
class Segment:
    """One translatable message of the source."""

    context: str | None  #: the enclosing safety section's id
    id: str  #: the inline Markdown, soft breaks joined by spaces
    line: int
    kind: str  #: heading, paragraph, list item, table cell


@dataclass(frozen=True)
class Section:
    id: str
    line: int
    heading: str | None  #: the heading's msgid; None for a block without one


@dataclass
class Document:
    """A parsed leaflet source: front matter, messages, safety sections."""

    path: Path
    front: FrontMatter
    segments: list[Segment]
    sections: dict[str, Section]
    text: str = field(repr=False)

    def title(self, translate: Callable[[str | None, str], str]) -> str:
        """The title (the first ``#`` heading), translated, as plain text."""
        heading = next(s for s in self.segments if s.kind == "heading")
        tokens = _parser().parseInline(translate(heading.context, heading.id))
        return _plain(tokens[0]) if tokens else ""

    def safety_texts(
        self, translate: Callable[[str | None, str], str]
    ) -> Iterator[tuple[Segment, str]]:
        """Each message of a safety section, translated, as the plain text a
        reader sees (markup dropped, link text kept)."""
        for segment in self.segments:
            if segment.context is not None:
                tokens = _parser().parseInline(translate(segment.context, segment.id))
                yield segment, _plain(tokens[0]) if tokens else ""

    def render(self, translate: Callable[[str | None, str], str]) -> tuple[str, str, str]:
        """(title, masthead HTML, body HTML) with every message through *translate*."""
        env: dict[str, Any] = {"translate": translate}
        tokens = _parser().parse(self.text, env)
        split = _masthead_end(tokens)
        renderer = _parser().renderer
        title = next(
            (_plain(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open"),
            "",
        )
        return (
            title,
            renderer.render(tokens[:split], _parser().options, env),
            renderer.render(tokens[split:], _parser().options, env),
        )

    def bilingual(
        self,
        translate: Callable[[str | None, str], str],
        source: Callable[[str | None, str], str],
    ) -> Bilingual:
        """The leaflet in the patient's language and in the source language, paired
        section by section. The two renders have the same blocks (a translation
        changes only inline text), so their groups pair one to one. The source
        copy's ids get a "-source" suffix, so no id is used twice."""
        halves = []
        for function in (translate, source):
            env: dict[str, Any] = {"translate": function}
            tokens = _parser().parse(self.text, env)
            title = self.title(function)
            parts = [
                _parser().renderer.render(tokens[start:end], _parser().options, env)
                for start, end in _groups(tokens)
            ]
            halves.append((title, parts))
        (title, patient), (source_title, english) = halves
        english = [_ID.sub(r'\1-source"', part) for part in english]
        rows = list(zip(patient, english, strict=True))
        return Bilingual(title, source_title, rows[0], rows[1:])


@dataclass(frozen=True)
class Bilingual:
    """A leaflet in two languages, section by section, for a two-column layout."""

    title: str  #: in the patient's language
    source_title: str
    masthead: tuple[str, str]  #: (patient's language, source language) HTML
    rows: list[tuple[str, str]]  #: one per section, in the same order in both


_ID = re.compile(r'(\sid="[^"]+)"')


def _groups(tokens: list[Token]) -> list[tuple[int, int]]:
    """The masthead, then one group per section: a group starts at a top-level
    ``##`` heading, a top-level box, or the first block after a box."""
    starts = [0, _masthead_end(tokens)]
    after_box = False
    for index in range(starts[1], len(tokens)):
        token = tokens[index]
        if token.level != 0 or token.nesting == -1 and token.type != "container_box_close":
            continue
        if token.type == "container_box_close":
            after_box = True
            continue
        opens = (token.type == "heading_open" and token.tag in ("h1", "h2")) or (
            token.type == "container_box_open"
        )
        if (opens or after_box) and index != starts[-1]:
            starts.append(index)
        after_box = False
    ends = [*starts[1:], len(tokens)]
    return [(start, end) for start, end in zip(starts, ends, strict=True) if end > start]


def _heading_attrs(state: StateCore) -> None:
    """``## Title {#id .class}``: the braces become the heading's attributes.

    Accepted only when the whole ``{...}`` parses as attributes; anything
    else (``{mg/kg}``, ``\\{#x\\}``) stays in the text. Runs after block
    parsing, before the translation swap, so a translation cannot add any.
    """
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        match = _TRAILING_ATTRS.search(inline.content)
        if not match:
            continue
        group = match.group(1)
        try:
            consumed, attrs = parse_attrs(group)
        except ParseError:
            continue
        if consumed != len(group) - 1:  # the index of the closing brace
            continue
        content = inline.content[: match.start()].rstrip()
        if token.markup.startswith("#"):  # ## Title ## {#id}: the closing #s go too
            content = _CLOSING_HASHES.sub("", content)
        inline.content = content
        token.meta["attrs_line"] = True
        for key, value in attrs.items():
            if key not in ATTRIBUTES:  # as attrs_block_plugin does: load() refuses it
                token.meta.setdefault("insecure_attrs", {})[key] = value
            elif key == "class":
                token.attrJoin("class", value)
            else:
                token.attrSet(key, value)


def _translate(state: StateCore) -> None:
    """Swap each message's source for its translation, before inline parsing."""
    translate = state.env.get("translate")
    if translate is None:
        return
    for segment, token in _segments(state.tokens):
        token.content = translate(segment.context, segment.id)


def _render_box(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    if token.nesting == 1:
        token.attrJoin("class", token.info.strip())
    return self.renderToken(tokens, idx, options, env)


@cache
def _parser() -> MarkdownIt:
    """The one Markdown configuration, built once per process."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False, "linkify": False})
    md.enable("table")
    front_matter_plugin(md)
    attrs_block_plugin(md, allowed=ATTRIBUTES)
    container_plugin(
        md, "box", validate=lambda params, *_: bool(params.strip()), render=_render_box
    )
    md.core.ruler.after("block", "heading_attrs", _heading_attrs)
    md.core.ruler.before("inline", "translate", _translate)
    return md


def _classes(token: Token) -> list[str]:
    return str(token.attrs.get("class", "")).split()


def _segments(tokens: list[Token]) -> Iterator[tuple[Segment, Token]]:
    """Each message with its inline token, and its safety context."""
    #: open sections: (id, heading level or 7 for a block, token level)
    stack: list[tuple[str, int, int]] = []
    in_item = 0
    for index, token in enumerate(tokens):
        if token.nesting == -1:
            stack = [entry for entry in stack if entry[2] <= token.level]
            if token.type == "list_item_close":
                in_item -= 1
            continue
        if token.type == "list_item_open":
            in_item += 1
        if token.type == "heading_open":
            level = int(token.tag[1])
            # a heading ends the heading sections of its level and below, also
            # those opened outside the box it is in; never a {#id .safety} block
            stack = [e for e in stack if not (level <= e[1] <= 6)]
            if "safety" in _classes(token) and token.attrs.get("id"):
                stack.append((str(token.attrs["id"]), level, token.level))
        elif token.nesting == 1 and "safety" in _classes(token) and token.attrs.get("id"):
            stack.append((str(token.attrs["id"]), 7, token.level + 1))
        if token.type == "inline" and index and tokens[index - 1].type in _MESSAGE_PARENTS:
            parent = tokens[index - 1]
            kind = _MESSAGE_PARENTS[parent.type]
            if kind == "paragraph" and in_item:
                kind = "list item"
            text = " ".join(line.strip() for line in token.content.splitlines())
            if text:
                line = (token.map or parent.map or [0])[0] + 1
                yield Segment(stack[-1][0] if stack else None, text, line, kind), token


def _masthead_end(tokens: list[Token]) -> int:
    """Where the masthead (title and the paragraphs under it) ends."""
    for index, token in enumerate(tokens):
        if token.level != 0 or token.type in ("front_matter", "inline"):
            continue
        if token.type in ("paragraph_open", "paragraph_close", "heading_close"):
            continue
        if token.type == "heading_open" and token.tag == "h1":
            continue
        return index
    return len(tokens)


def _plain(inline: Token) -> str:
    """An inline token's text without its markup (for the title)."""
    return "".join(
        child.content for child in inline.children or () if child.type in ("text", "code_inline")
    ).strip()


@lru_cache(maxsize=8192)
def inline_markup(text: str) -> tuple[tuple[str, int], ...]:
    """An order-free count of the inline markup of *text*: bold, italics, code,
    images, hard breaks and each link target. Compared between a source message
    and its translation, it catches a dropped ``**``, an added or changed link."""
    counts: dict[str, int] = {}
    tokens = _parser().parseInline(text)
    for child in tokens[0].children or () if tokens else ():
        if child.nesting == -1:
            continue
        name = child.type.removesuffix("_open")
        if name in ("strong", "em", "code_inline", "image", "hardbreak"):
            key = name
        elif name == "link":
            key = f"link:{child.attrs.get('href', '')}"
        else:
            continue
        counts[key] = counts.get(key, 0) + 1
    return tuple(sorted(counts.items()))


_FENCE = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*$", re.S | re.M)


@cache
def _loader() -> type:
    """PyYAML's safe loader, refusing a key written twice: plain YAML keeps the
    last value without a word, so a second ``code:`` would silently win."""
    import yaml

    class Loader(yaml.SafeLoader):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> Any:
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                    continue
                key = self.construct_object(key_node)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        problem=f"key {key!r} written twice (first at line {seen[key]})",
                        problem_mark=key_node.start_mark,
                    )
                seen[key] = key_node.start_mark.line + 2  # the line in the file
            return super().construct_mapping(node, deep)

    return Loader


def front_matter(text: str, relative: str) -> FrontMatter:
    """The YAML front matter at the top of a leaflet source, validated.

    Read without parsing the Markdown, so that listing a project's leaflets
    costs little. Only single values are accepted (no lists, no anchors
    expanding into large structures); unknown keys are errors.
    """
    import yaml

    match = _FENCE.match(text)
    if match is None:
        raise PolyleafError(
            f"{relative}:1: no front matter; start the file with ---, code: ..., "
            "revision: YYYY-MM-DD, ---"
        )
    if len(match.group(1)) > MAX_FRONT_MATTER:
        raise PolyleafError(f"{relative}:1: front matter longer than {MAX_FRONT_MATTER} bytes")
    try:
        data = yaml.load(match.group(1), Loader=_loader())  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise PolyleafError(f"{relative}:{line}: front matter: {problem}") from None
    except ValueError as error:  # read as a date, but no such day: 2026-13-45
        raise PolyleafError(
            f"{relative}:1: front matter: not a date: {error}; write YYYY-MM-DD"
        ) from None
    if not isinstance(data, dict):
        raise PolyleafError(f"{relative}:1: front matter must be key: value lines")
    for key, value in data.items():
        if not isinstance(value, str | int | float | dt.date) or isinstance(value, bool):
            raise PolyleafError(f"{relative}:1: front matter: {key}: must be a single value")
    try:
        return FrontMatter.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "front matter"
        # a validator's own sentence, without pydantic's "Value error, " before it
        problem = first["ctx"]["error"] if first["type"] == "value_error" else first["msg"]
        raise PolyleafError(f"{relative}:1: front matter: {key}: {problem}") from None


def read_source(path: Path, relative: str) -> str:
    """The text of a leaflet source; a byte order mark some editors put before
    UTF-8 is dropped, so the ``---`` of the front matter is still the first line."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise PolyleafError(f"{relative}: cannot read: {error}") from None


def load(path: Path, relative: str) -> Document:
    """Parse the leaflet source at *path* (*relative*: its name in messages)."""
    text = read_source(path, relative)
    front = front_matter(text, relative)
    tokens = _parser().parse(text, {})
    sections: dict[str, Section] = {}
    ids: dict[str, int] = {}
    for index, token in enumerate(tokens):
        line = (token.map or [0])[0] + 1
        insecure = token.meta.get("insecure_attrs") if token.meta else None
        if insecure:
            names = ", ".join(sorted(insecure))
            raise PolyleafError(
                f"{relative}:{line}: attribute {names} not allowed; use only #id and .class"
            )
        if token.type == "container_box_open":
            name = token.info.strip()
            if name not in BOXES:
                raise PolyleafError(
                    f"{relative}:{line}: unknown box {name!r}; use one of {', '.join(BOXES)}"
                )
        for name in _classes(token):
            if name not in CLASSES:
                raise PolyleafError(
                    f"{relative}:{line}: unknown class {name!r}; use one of {', '.join(CLASSES)}"
                )
        if token.nesting == 1 and "lang" in token.attrs:
            raise PolyleafError(f"{relative}:{line}: attribute lang not allowed")
        identifier = token.attrs.get("id") if token.nesting == 1 else None
        if identifier is None:
            continue
        identifier = str(identifier)
        if not SECTION_ID.match(identifier):
            raise PolyleafError(
                f"{relative}:{line}: id {identifier!r}: write lower-case words joined by "
                "hyphens, e.g. {#pregnancy-warning .safety}"
            )
        if identifier in ids:
            raise PolyleafError(
                f"{relative}:{line}: id {identifier!r} is used twice (first at line "
                f"{ids[identifier]}); ids must be unique within a leaflet"
            )
        ids[identifier] = line
        if "safety" in _classes(token):
            heading = None
            if token.type == "heading_open":
                heading = " ".join(tokens[index + 1].content.split())
            sections[identifier] = Section(identifier, line, heading)
    segments = [segment for segment, _ in _segments(tokens)]
    if not any(t.type == "heading_open" and t.tag == "h1" for t in tokens):
        raise PolyleafError(f"{relative}: no title; start the text with '# Title'")
    return Document(path, front, segments, sections, text)


def babel_extract(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str | tuple[str, str], list[str]]]:
    """Babel's extraction method ``polyleaf_markdown`` (``[polyleaf_markdown: templates/*.md]``
    in babel.cfg), so plain ``pybabel extract`` finds the messages polyleaf does."""
    tokens = _parser().parse(fileobj.read().decode("utf-8-sig"), {})
    for segment, _ in _segments(tokens):
        if segment.context is None:
            yield segment.line, "gettext", segment.id, []
        else:
            yield segment.line, "pgettext", (segment.context, segment.id), []
