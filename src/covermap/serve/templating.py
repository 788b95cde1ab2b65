"""Jinja2 pages: one layout, tables written through covermap.render's column registry, and
Plotly figures as JSON that the page's script draws with the app's own plotly.min.js."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse

from covermap.serve.auth import csrf_token, current_user

_env = jinja2.Environment(
    loader=jinja2.PackageLoader("covermap.serve", "templates"),
    autoescape=jinja2.select_autoescape(["html"]), undefined=jinja2.StrictUndefined)

NAV = (("/", "Overview"), ("/coverage", "Coverage"), ("/map", "Coverage map"),
       ("/team", "Team"), ("/capacity", "Capacity"), ("/value", "Key players"),
       ("/worklist", "Worklist"), ("/groups", "Groups"), ("/territories", "Territories"),
       ("/plan", "Plan"), ("/import", "Import"))


def formats(meta: dict[str, Any], plan):
    from covermap.render import Formats

    return Formats.for_plan(plan, meta.get("users") or {})


def table(rows: list[dict[str, Any]], name: str, f, columns: list[str] | None = None,
          links: dict[str, str] | None = None) -> dict[str, Any]:
    """Headers and formatted cells of result table ``name`` (covermap.render.html_table);
    ``links``: column -> URL pattern with ``{value}`` (e.g. an account's page)."""
    from covermap.render import html_table

    if columns is not None:
        columns = [c for c in columns if not rows or c in rows[0]]
    heads, cells = html_table(rows, name, f, columns=columns)
    out = []
    for raw, row in zip(rows, cells, strict=True):
        line = []
        for h in heads:
            link = (links or {}).get(h.name)
            line.append({"text": row[h], "numeric": h.numeric,
                         "href": link.format(value=quote(str(raw[h.name]), safe=""))
                         if link and raw.get(h.name) is not None else None})
        out.append(line)
    return {"heads": [{"text": h.header, "numeric": h.numeric} for h in heads], "rows": out}


def figure(data: list[dict[str, Any]], layout: dict[str, Any] | None = None) -> str:
    """A Plotly figure as JSON for ``Plotly.newPlot`` (drawn by static/app.js)."""
    base = {"margin": {"l": 60, "r": 20, "t": 40, "b": 60}, "height": 320,
            "font": {"family": "system-ui, sans-serif", "size": 12}}
    text = json.dumps({"data": data, "layout": {**base, **(layout or {})}}, default=str)
    # inside <script type="application/json">: a value holding "</script>" must not end it
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    user = current_user(request)
    html = _env.get_template(template).render(
        request=request, nav=NAV, path=request.url.path, user=user,
        signed_in=request.app.state.users is not None and user is not None,
        csrf=csrf_token(request), **context)
    return HTMLResponse(html, status_code=status)


def render_error(request: Request, status: int, body: dict[str, Any]) -> str:
    user = current_user(request)
    return _env.get_template("error.html").render(
        request=request, nav=NAV, path=request.url.path, user=user, status=status,
        signed_in=request.app.state.users is not None and user is not None,
        csrf=csrf_token(request), error=body["error"], parameter=body["parameter"])
