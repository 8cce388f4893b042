"""The demo page and the chat widget's files, served apart from Rasa.

A separate small process (started by ``bot.runtime.run``) so the page, the widget and
the crisis resources stay up while Rasa loads its model, restarts or is down:
a visitor in crisis must always get a number, whatever state the bot is in.

- ``GET /``: the demo page. It carries the visitor's crisis lines (region from
  ``?region=XX``, else the browser's Accept-Language, else ``DEFAULT_REGION``)
  as data the widget renders, and in plain text for browsers without scripts.
- ``GET /resources?region=XX``: the same lines as JSON, for widgets embedded
  on other sites (they cache the answer).
- ``GET /static/...``: widget.js, widget.css and the socket.io client
  (``make web`` bundles widget.js from web/src and copies the client from node_modules).
- ``GET /healthz``.
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import logging
import re
import string
import sys
from typing import Any, Optional

from aiohttp import web

from bot.core.settings import ROOT, get_settings, settings_or_exit

logger = logging.getLogger(__name__)

WEB_DIR = ROOT / "web"
STATIC_DIR = WEB_DIR / "static"
PAGE_TEMPLATE = WEB_DIR / "index.html"

# The helplines are written for this channel: markdown links the widget renders safely.
CHANNEL = "socketio"
CATEGORY = "suicide"

_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*$")
_REGION_TAG = re.compile(r"^[A-Za-z]{2}$")

# A last resort should the helplines file ever fail to load: still a way to act.
FALLBACK_RESOURCES: dict[str, Any] = {
    "region": "INTL",
    "region_name": "Other countries",
    "emergency": "",
    "emergency_text": "your local emergency number (112 works in every EU country)",
    "lines": ["Find A Helpline (free helplines by country and topic) — see https://findahelpline.com/"],
    "elsewhere": "",
}


def region_from_accept_language(header: Optional[str]) -> Optional[str]:
    """``"en-GB,en;q=0.9"`` -> ``"GB"``: the country of the first tag that names one."""
    for part in (header or "").split(",")[:10]:
        tag = part.split(";", 1)[0].strip()
        if not _LANGUAGE_TAG.match(tag):
            continue
        for subtag in re.split(r"[-_]", tag)[1:]:
            if _REGION_TAG.match(subtag):
                return subtag.upper()
    return None


def visitor_region(request: web.Request) -> str:
    from bot.conversation.helplines import resolve_region

    return resolve_region(
        channel_region=request.query.get("region"),
        locale_region=region_from_accept_language(request.headers.get("Accept-Language")),
        default_region=get_settings().default_region,
    )


def crisis_resources(region_code: str, channel: str = CHANNEL) -> dict[str, Any]:
    """The region's crisis lines and emergency number, worded exactly as the bot's crisis reply words them."""
    from bot.conversation.helplines import (
        INTERNATIONAL,
        emergency_text,
        format_helpline,
        load_catalogue,
        plan_for,
        the_region,
    )

    catalogue = load_catalogue()
    region = catalogue.region(region_code)
    elsewhere = ""
    if region.code != INTERNATIONAL:
        directory = plan_for(catalogue.region(INTERNATIONAL), CATEGORY)
        elsewhere = format_helpline(directory[0], channel) if directory else ""
    return {
        "region": region.code,
        "region_name": region.name,
        # As it reads in a sentence ("the United Kingdom"): the widget's panel says whose numbers it shows.
        "the_region": the_region(region),
        "emergency": region.emergency,
        "emergency_text": emergency_text(region, channel),
        "lines": [format_helpline(h, channel) for h in plan_for(region, CATEGORY)],
        "elsewhere": elsewhere,
    }


def safe_resources(region_code: str, channel: str = CHANNEL) -> dict[str, Any]:
    try:
        return crisis_resources(region_code, channel)
    except Exception:  # noqa: BLE001 - this page is the crisis fallback; it must never be a 500
        logger.exception("could not load the helplines; showing the fallback resources")
        return FALLBACK_RESOURCES


def json_for_html(data: Any) -> str:
    """JSON that cannot end its <script> element early, whatever strings it holds."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@functools.lru_cache(maxsize=1)
def page_template() -> string.Template:
    return string.Template(PAGE_TEMPLATE.read_text(encoding="utf-8"))


_HOST = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253})(?::\d{1,5})?$")


def chat_server_url(request: web.Request) -> str:
    """The Rasa server as the visitor's browser reaches it: this page's host, Rasa's port.

    The Host header is the client's to write and ends up in the page's
    Content-Security-Policy, so anything that is not a plain host name is
    replaced by localhost.
    """
    match = _HOST.match(request.host or "")
    host = match.group(1) if match else "localhost"
    return f"{request.scheme}://{host}:{get_settings().rasa_port}"


def security_headers(connect_src: str) -> dict[str, str]:
    return {
        # The widget builds every node itself; no inline script, no foreign code.
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {connect_src}; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


async def page(request: web.Request) -> web.Response:
    region = visitor_region(request)
    resources = safe_resources(region)
    written_out = safe_resources(region, "plain")  # for browsers without scripts
    server = chat_server_url(request)
    ws = server.replace("http", "ws", 1)
    config = {"server": server, "open": True}
    noscript = "\n".join(f"<li>{html.escape(line)}</li>" for line in written_out["lines"])
    body = page_template().safe_substitute(
        config_json=json_for_html(config),
        resources_json=json_for_html(resources),
        noscript_lines=noscript,
        emergency=html.escape(written_out["emergency_text"]),
        region_name=html.escape(resources["region_name"]),
    )
    return web.Response(text=body, content_type="text/html", headers=security_headers(f"{server} {ws}"))


async def resources(request: web.Request) -> web.Response:
    # Public helpline data: any site that embeds the widget may read it (no cookies involved).
    return web.json_response(
        safe_resources(visitor_region(request)),
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=3600", "Vary": "Accept-Language"},
    )


async def health(_: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@web.middleware
async def common_headers(request: web.Request, handler: Any) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    if request.path.startswith("/static/"):
        # Embedding sites load these cross-origin; revalidate so a fix reaches visitors at once.
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
        response.headers.setdefault("Cache-Control", "no-cache")
    return response


def make_app() -> web.Application:
    app = web.Application(middlewares=[common_headers])
    app.router.add_get("/", page)
    app.router.add_get("/resources", resources)
    app.router.add_get("/healthz", health)
    app.router.add_static("/static/", STATIC_DIR, follow_symlinks=False)
    return app


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the demo page and the chat widget.")
    parser.add_argument("--host", default=None, help="default: WEB_HOST (127.0.0.1, this machine only)")
    parser.add_argument("--port", type=int, default=None, help="default: WEB_PORT (8080)")
    args = parser.parse_args(argv)
    settings = settings_or_exit()
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for built in ("widget.js", "vendor/socket.io.min.js"):
        if not (STATIC_DIR / built).exists():
            print(f"warning: web/static/{built} is missing; run `make web`", file=sys.stderr)
    web.run_app(make_app(), host=args.host or settings.web_host, port=args.port or settings.web_port, print=None, access_log=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
