"""Rendering a version's blank tablet form from the item-type Jinja macros, cached per version.

A published version never changes, so its HTML is rendered once per content hash; the page
around it (who, where, draft answers) is rendered per request.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import render_template
from markupsafe import Markup

from forms.validation import CompiledVersion

_CACHE: OrderedDict[str, Markup] = OrderedDict()
_CACHE_SIZE = 128
_LOCK = threading.Lock()


def script_json(json_text: str) -> Markup:
    """Canonical JSON text made safe inside ``<script type="application/json">``.

    The characters that could end the script element only occur inside JSON strings, where their
    ``\\u003c``-style escapes mean the same; so a version's stored JSON needs no parsing to embed.
    """
    safe = (
        json_text.replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("'", "\\u0027")
    )
    return Markup(safe)  # noqa: S704 - escaped above


def blank_checklist_html(content_hash: str, compiled: CompiledVersion) -> Markup:
    """The HTML of the version's items (no answers), from cache when possible.

    Must run inside a Flask app context (it uses the app's Jinja environment).
    """
    with _LOCK:
        cached = _CACHE.get(content_hash)
        if cached is not None:
            _CACHE.move_to_end(content_hash)
            return cached
    html = Markup(render_template("forms/checklist_body.html", definition=compiled.definition))  # noqa: S704 - autoescaped template output
    with _LOCK:
        _CACHE[content_hash] = html
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return html
