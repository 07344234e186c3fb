"""The page router: the reception-desk page, its font stylesheet and fonts.

The page is rendered in the language the request negotiates, by that
language's own Jinja environment (see ui.py). It carries no inline script or
style, so the Content-Security-Policy can allow only the site's own files.
"""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from polyleaf.catalogs import in_use, read_catalog
from polyleaf.fonts import FACES, VENDORED
from polyleaf.locales import locale_info
from polyleaf.options import PAPERS
from polyleaf.personal import FREQUENCY_PHRASES, TIMING_PHRASES
from polyleaf.project import FURNITURE, LAYOUTS
from polyleaf.web.errors import ApiError

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=64)
def dose_choices(tag: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The frequencies and timings the page offers, in the page's language: the
    very phrases polyleaf's furniture catalog prints on the leaflet (English
    where it has none)."""
    path = LAYOUTS / "locales" / tag.replace("-", "_") / "LC_MESSAGES" / f"{FURNITURE}.po"
    strings = (
        {m.id: m.string for m in read_catalog(path) if in_use(m) and isinstance(m.id, str)}
        if path.is_file()
        else {}
    )
    return (
        [(key.value, strings.get(english, english)) for key, english in FREQUENCY_PHRASES.items()],
        [(key.value, strings.get(english, english)) for key, english in TIMING_PHRASES.items()],
    )


#: The vendored fonts, so every language name shows in its script on any tablet.
WEB_FONTS = {face.path.name: face for face in FACES if face.package == VENDORED}
FONTS_CSS = "\n".join(
    [
        *(
            f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
            f'src: url("/fonts/{name}"); }}'
            for name, face in WEB_FONTS.items()
        ),
        ":root { font-family: "
        + ", ".join(dict.fromkeys(f'"{face.family}"' for face in WEB_FONTS.values()))
        + ", sans-serif; }",
    ]
)


@router.get("/", response_class=HTMLResponse)
def page(request: Request, ui: str = "") -> HTMLResponse:
    desk = request.app.state.desk
    languages = request.app.state.ui
    tag = languages.choose(ui, request.headers.get("accept-language", ""))
    info = locale_info(tag.replace("-", "_"))
    env = languages.environment(tag)
    all_locales = desk.locales()
    locales = [
        dict(
            e.model_dump(),
            search=f"{e.name} {e.english_name} {e.tag}".lower(),
            #: the leaflets it may be printed in, and those where it is a draft
            leaflets=" ".join(
                lid for lid, es in desk.entries.items() if e.tag in es and es[e.tag].available
            ),
            drafts=" ".join(
                lid
                for lid, es in desk.entries.items()
                if e.tag in es and es[e.tag].status in ("draft", "partly reviewed")
            ),
        )
        for e in all_locales
    ]
    frequencies, timings = dose_choices(tag)
    html = env.get_template("index.html").render(
        frequencies=frequencies,
        timings=timings,
        ui={"tag": tag, "direction": info.direction},
        source={
            "tag": desk.project.source_locale.tag,
            "name": desk.project.source_locale.display_name,
        },
        leaflets=[{"id": lid, "title": desk.title(lid, tag)} for lid in desk.entries],
        locales=locales,
        unavailable=[
            dict(e.model_dump(), leaflet=lid)
            for lid, es in desk.entries.items()
            for e in es.values()
            if e.status == "blocked by the gate"  # what the page's sentence explains
        ],
        papers=list(PAPERS),
        clinics=[{"id": cid, "name": c.name} for cid, c in sorted(desk.clinics.items())],
        ui_locales=[e for e in all_locales if e.tag in languages.tags],
    )
    return HTMLResponse(html, headers={"Content-Language": tag, "Vary": "Accept-Language"})


@router.get("/fonts.css")
def fonts_css() -> Response:
    """The @font-face rules for the vendored fonts (a file, not an inline <style>)."""
    return Response(
        FONTS_CSS,
        media_type="text/css",
        headers={"Cache-Control": "max-age=86400"},
    )


@router.get("/fonts/{name}")
def font(name: str) -> Response:
    face = WEB_FONTS.get(name)
    if face is None:
        raise ApiError(404, f"unknown font {name!r}", sorted(WEB_FONTS))
    return Response(
        face.path.read_bytes(),
        media_type="font/ttf",
        headers={"Cache-Control": "max-age=86400"},
    )
