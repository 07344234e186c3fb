"""How the text-layer stage plans one run of glyphs (on hand-made glyph strings)."""

from __future__ import annotations

from types import SimpleNamespace

# polyleaf.pdf first: it isolates fontconfig before WeasyPrint loads.
from polyleaf import pdf, textlayer  # noqa: F401

ffi = textlayer.ffi


def glyph_run(text: str, glyphs: list[tuple[int, int, int, int]], rtl: bool = False):
    """A fake Pango glyph item: *glyphs* are (glyph id, width, x offset, cluster byte)."""
    infos = ffi.new("PangoGlyphInfo[]", len(glyphs))
    for info, (glyph, width, x_offset, _) in zip(infos, glyphs, strict=True):
        info.glyph, info.geometry.width, info.geometry.x_offset = glyph, width, x_offset
    clusters = ffi.new("int[]", [cluster for *_, cluster in glyphs])
    utf8 = text.encode()
    item = SimpleNamespace(offset=0, length=len(utf8), analysis=SimpleNamespace(level=int(rtl)))
    strings = SimpleNamespace(num_glyphs=len(glyphs), glyphs=infos, log_clusters=clusters)
    return SimpleNamespace(item=item, glyphs=strings, keep=(infos, clusters)), utf8


def texts(plan: list) -> list[tuple[int, str, str]]:
    return [(o.glyph, o.text, o.carried) for o in sorted(plan, key=lambda o: o.index)]


def test_a_two_part_vowel_spreads_over_both_clusters() -> None:
    # সো: HarfBuzz draws ে-part, স, া-part; the ে-part shares স's cluster.
    run, utf8 = glyph_run("সো", [(61, 9000, 0, 0), (50, 18000, 0, 0), (54, 7000, 0, 3)])
    assert texts(textlayer._plan_run(run, utf8, {})) == [
        (61, "স", ""),
        (50, "\u09c7", ""),
        (54, "\u09be", ""),
    ]


def test_a_right_to_left_mark_gives_its_text_to_a_carrier() -> None:
    # يُ: the damma (zero advance, drawn with an offset) comes before its yeh.
    run, utf8 = glyph_run("يُ", [(900, 0, 3000, 2), (300, 9000, 0, 0)], rtl=True)
    assert texts(textlayer._plan_run(run, utf8, {})) == [(900, "", "\u064f"), (300, "ي", "")]


def test_a_mark_with_no_glyph_after_it_keeps_its_text() -> None:
    run, utf8 = glyph_run("يُ", [(300, 9000, 0, 0), (900, 0, 3000, 2)], rtl=True)
    assert (900, "\u064f", "") in texts(textlayer._plan_run(run, utf8, {}))


def test_glyphs_that_already_stand_for_their_text_are_not_planned() -> None:
    run, utf8 = glyph_run("कम", [(10, 9000, 0, 0), (11, 9000, 0, 3)])
    assert texts(textlayer._plan_run(run, utf8, {10: "क"})) == [(11, "म", "")]


def test_a_cluster_split_in_two_leaves_the_run_as_drawn() -> None:
    run, utf8 = glyph_run("कम", [(10, 9000, 0, 0), (11, 9000, 0, 3), (12, 9000, 0, 0)])
    assert textlayer._plan_run(run, utf8, {}) is None
