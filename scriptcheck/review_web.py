"""``scriptcheck serve``: the inspectors' review pages over a history store (Starlette + Jinja2, run by uvicorn).

Only the web layer lives here: every query and decision is a function of review.py. Safety on a
shared machine: loopback by default (and Host headers other than loopback refused, against DNS
rebinding); templates autoescape everything (transcripts are untrusted ASR text); every POST
carries a per-process CSRF token in a hidden field and is refused with 403 without it. There is
no login: the reviewer's name is typed (or given with ``--user``) and stored as given.
"""

from __future__ import annotations

import hmac
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from jinja2 import Environment, PackageLoader
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from . import history, review
from .i18n import t

LOOPBACK = ("127.0.0.1", "localhost")
NAME_COOKIE = "scriptcheck_reviewer"


def make_app(db: Path, *, lang: str = "zh", user: str | None = None, host: str = "127.0.0.1") -> Starlette:
    """The review application over the history at ``db`` (migrated to the review schema here, once)."""
    token = secrets.token_urlsafe(32)  # per process: a page from an earlier server is refused
    env = Environment(loader=PackageLoader("scriptcheck", "templates/review"), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    bases = [Path.cwd(), db.resolve().parent]

    def label(key: str, **kw: object) -> str:
        return t(key, lang, **kw)

    with closing(history.connect(db, create=False)) as c:
        checks = check_labels(c, lang)
    env.globals.update(_=label, lang=lang, csrf=token, highlight=review.highlight,
                       check_label=lambda key: checks.get(key, key))
    env.filters["check_label"] = env.globals["check_label"]

    @contextmanager
    def conn() -> Iterator[sqlite3.Connection]:
        c = history.connect(db, create=False)
        try:
            yield c
        finally:
            c.close()

    def page(request: Request, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        reviewer = user or unquote(request.cookies.get(NAME_COOKIE, ""))
        return HTMLResponse(env.get_template(name).render(reviewer=reviewer, path=request.url.path, **ctx),
                            status_code=status, headers=SECURITY_HEADERS)

    async def form(request: Request) -> dict[str, str]:
        data = await request.form()
        sent = data.get("csrf")
        if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), token.encode()):
            raise HTTPException(403, label("rv.csrf"))
        return {k: v for k, v in data.items() if isinstance(v, str)}

    def decided(request: Request, row: int, who: str, anchor: str = "") -> Response:
        resp = RedirectResponse(f"/call/{row}{anchor}", status_code=303)  # POST → redirect → GET: no re-post
        resp.set_cookie(NAME_COOKIE, quote(who.strip()), samesite="strict", httponly=True)
        return resp

    def calls(request: Request) -> HTMLResponse:
        q = request.query_params
        flt = review.CallFilter(agent=q.get("agent") or None, verdict=q.get("verdict") or None,
                                check=q.get("check") or None, day_from=q.get("from") or None,
                                day_to=q.get("to") or None, reviewed=q.get("reviewed") or None)
        pg = max(0, int(q.get("page", "0"))) if q.get("page", "0").isdigit() else 0
        with conn() as c:
            rows, total = review.list_calls(c, flt, pg)
            options = review.filter_options(c)
        pages = max(1, -(-total // review.PAGE))
        keep = {k: v for k, v in q.items() if k != "page" and v}
        return page(request, "calls.html", rows=rows, total=total, flt=flt, options=options, page=pg, pages=pages,
                    prev_url=f"/?{urlencode({**keep, 'page': pg - 1})}" if pg > 0 else None,
                    next_url=f"/?{urlencode({**keep, 'page': pg + 1})}" if pg + 1 < pages else None)

    def call(request: Request) -> HTMLResponse:
        row = int(request.path_params["row"])
        with conn() as c:
            detail = review.call_detail(c, row)
        if detail is None:
            raise HTTPException(404, label("rv.no_call"))
        transcript = review.load_transcript(detail["report"], bases)
        by_segment: dict[int, list[dict[str, Any]]] = {}
        for f in detail["findings"]:
            if f["segment"] is not None:
                by_segment.setdefault(f["segment"], []).append(f)
        cleared = {i for i, fs in by_segment.items()  # every finding on the utterance rejected: shown struck out
                   if all(f["decision"] is not None and f["decision"].decision == "reject" for f in fs)}
        return page(request, "call.html", d=detail, c=detail["call"], final=detail["final"], transcript=transcript,
                    by_segment=by_segment, cleared=cleared)

    def act(fn: Callable[[sqlite3.Connection, dict[str, str], int], str]) -> Callable[..., Any]:
        """A state-changing POST: CSRF checked, the change made in one transaction, then back to the call."""

        def apply(request: Request, data: dict[str, str], row: int) -> Response:
            with conn() as c:
                call_row = c.execute("SELECT call_id FROM calls WHERE id = ?", (row,)).fetchone()
                if call_row is None:
                    raise HTTPException(404, label("rv.no_call"))
                try:
                    c.execute("BEGIN IMMEDIATE")  # may wait for a running `check --db` batch to commit
                    who = fn(c, {**data, "call_id": call_row["call_id"]}, row)
                    c.execute("COMMIT")
                except review.ReviewError as e:
                    c.execute("ROLLBACK")
                    return page(request, "error.html", status=400, message=str(e), back=f"/call/{row}")
            key = data.get("finding_key")
            return decided(request, row, who, f"#f-{key}" if key else "#appeals")

        async def endpoint(request: Request) -> Response:
            data = await form(request)
            # SQLite work off the event loop, like Starlette runs the sync GET endpoints
            return await run_in_threadpool(apply, request, data, int(request.path_params["row"]))

        return endpoint

    def do_review(c: sqlite3.Connection, data: dict[str, str], row: int) -> str:
        key = data.get("finding_key", "")
        if not c.execute("SELECT 1 FROM findings WHERE call_row = ? AND finding_key = ?", (row, key)).fetchone():
            raise review.ReviewError(f"finding {key!r} is not one of this call's findings")
        review.record_review(c, key, data.get("decision", ""), data.get("reviewer"), data.get("comment", ""))
        return data.get("reviewer", "")

    def do_appeal(c: sqlite3.Connection, data: dict[str, str], row: int) -> str:
        review.file_appeal(c, data["call_id"], data.get("finding_key") or None, data.get("reason", ""),
                           data.get("filed_by"))
        return data.get("filed_by", "")

    def do_decide(c: sqlite3.Connection, data: dict[str, str], row: int) -> str:
        appeal_id = data.get("appeal_id", "")
        found = c.execute("SELECT 1 FROM appeals WHERE id = ? AND call_id = ?",
                          (int(appeal_id) if appeal_id.isdigit() else -1, data["call_id"])).fetchone()
        if found is None:
            raise review.ReviewError(f"no appeal #{appeal_id} on this call")
        review.decide_appeal(c, int(appeal_id), data.get("decision", ""), data.get("decided_by"),
                             data.get("comment", ""))
        return data.get("decided_by", "")

    def precision(request: Request) -> HTMLResponse:
        with conn() as c:
            return page(request, "precision.html", rules=review.rule_precision(c), todo=review.phrasebook_todo(c))

    def export(request: Request) -> Response:
        fmt = request.path_params["fmt"]
        if fmt not in ("jsonl", "csv"):
            raise HTTPException(404)
        with conn() as c:
            text = review.export_text(c, fmt)
        body = ("\ufeff" + text) if fmt == "csv" else text  # a BOM so Excel reads the Chinese
        media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson; charset=utf-8"
        return Response(body.encode("utf-8"), media_type=media,
                        headers={"Content-Disposition": f'attachment; filename="review-decisions.{fmt}"'})

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return page(request, "error.html", status=exc.status_code, message=exc.detail, back="/")

    routes = [
        Route("/", calls),
        Route("/call/{row:int}", call),
        Route("/call/{row:int}/review", act(do_review), methods=["POST"]),
        Route("/call/{row:int}/appeal", act(do_appeal), methods=["POST"]),
        Route("/call/{row:int}/appeal/decide", act(do_decide), methods=["POST"]),
        Route("/precision", precision),
        Route("/export.{fmt}", export),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=list(LOOPBACK))] if host in LOOPBACK else []
    return Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: http_error})


def check_labels(conn: sqlite3.Connection, lang: str) -> dict[str, str]:
    """Check key → its name (开场问候 / Greeting) from the rulebooks the history's runs used (the newest first).

    A rulebook that cannot be loaded any more (moved, edited into an error) is skipped: keys are shown."""
    from .rulebook import RulebookError, load_rulebook

    labels: dict[str, str] = {}
    sources = [r[0] for r in conn.execute("SELECT rulebook_source FROM runs GROUP BY rulebook_source "
                                          "ORDER BY MAX(id) DESC LIMIT 5")]
    for source in sources:
        try:
            rb = load_rulebook(source)
        except (RulebookError, OSError):
            continue
        for key, info in rb.checks.items():
            labels.setdefault(key, info.label_en if lang == "en" else info.label)
    return labels


SECURITY_HEADERS = {
    # no script at all on these pages, styles inline, forms post only here, never framed (clickjacking)
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def serve(db: Path, host: str, port: int, *, lang: str = "zh", user: str | None = None,
          announce: Callable[[str], None] = print) -> None:
    """Run the review pages until Ctrl-C (uvicorn; access log off: the pages show transcripts' call ids)."""
    import uvicorn

    app = make_app(db, lang=lang, user=user, host=host)
    shown = f"[{host}]" if ":" in host else host
    announce(f"scriptcheck serve: http://{shown}:{port}/  ({db}; Ctrl-C stops)")
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
