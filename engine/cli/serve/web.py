"""The Starlette app: the page, its static files and the JSON API it uses.

| route | body or query | answer |
|---|---|---|
| GET  /api/files | | the pack files: name, pack, path, tags, editable |
| GET  /api/file?file=NAME | | text and version of one pack file |
| GET  /api/corpus | | the corpus: ids, gold and saved-rules tags |
| POST /api/tag | {text or id, edits} | the `repotag tag` record, names, gold |
| POST /api/explain | {text or id, edits, tags} | `repotag explain --format json` data and its HTML parts |
| POST /api/lint | {file, text} | problems at file:line:col, the file's examples |
| POST /api/eval | {edits} | figures before/after, per-tag deltas, fixed/broken/changed READMEs |
| POST /api/save | {file, text, version} | written version; 409 when the file changed on disk |

`edits` is {file name: unsaved text}. Errors are {"error": message} with a
4xx/5xx status. Engine work runs in the thread pool, one request at a time.
"""
from __future__ import annotations

import json
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .files import AccessError
from .guard import Guard
from .page import render_page
from .workbench import Conflict, RequestError, Workbench

STATIC = Path(__file__).resolve().parent / "static"


def _error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _answer(fn):
    """Run a workbench call; its refusals become JSON errors with their status."""
    try:
        return JSONResponse(fn())
    except Conflict as exc:
        return JSONResponse({"error": str(exc), "current_version": exc.current}, status_code=409)
    except (AccessError, RequestError) as exc:
        return _error(str(exc), exc.status)


def _body(raw: bytes) -> dict:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise RequestError(f"the request body is not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise RequestError("the request body is a JSON object")
    return body


def build_app(wb: Workbench, hosts: set[str]):
    """The ASGI app behind the Guard; `hosts` are the Host values it answers."""

    def index(request: Request):
        return HTMLResponse(render_page(wb))

    def files(request: Request):
        return _answer(lambda: {"files": wb.files(), "tag_files": {str(k): v for k, v in wb.tag_files().items()}})

    def file(request: Request):
        return _answer(lambda: wb.open_file(request.query_params.get("file")))

    def corpus(request: Request):
        return _answer(wb.corpus_list)

    def post(method):
        async def endpoint(request: Request):
            raw = await request.body()
            from starlette.concurrency import run_in_threadpool

            def call():
                return method(_body(raw))

            return await run_in_threadpool(_answer, call)

        return endpoint

    routes = [
        Route("/", index),
        Route("/api/files", files),
        Route("/api/file", file),
        Route("/api/corpus", corpus),
        Route("/api/tag", post(wb.tag), methods=["POST"]),
        Route("/api/explain", post(wb.explain), methods=["POST"]),
        Route("/api/lint", post(lambda b: wb.lint(b.get("file"), b.get("text"))), methods=["POST"]),
        Route("/api/eval", post(wb.evaluate), methods=["POST"]),
        Route("/api/save", post(lambda b: wb.save(b.get("file"), b.get("text"), b.get("version"))), methods=["POST"]),
        Route("/favicon.ico", lambda r: Response(status_code=204)),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Guard(Starlette(routes=routes), hosts)
