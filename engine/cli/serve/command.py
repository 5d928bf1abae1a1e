"""`repotag serve`: build the workbench from the command line's options and run
it under uvicorn on 127.0.0.1 (typer's command in app.py only forwards here,
so `repotag` starts without importing Starlette)."""
from __future__ import annotations

import sys

MISSING = ("repotag serve needs the optional web stack: pip install 'repotag[serve]' "
           "(Starlette and uvicorn)")


def have_web_stack() -> bool:
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        return False
    return True


def make_workbench(rules=(), tags=None, builtin=True, corpus=(), gold=None, max_tags=None):
    """The Workbench of a command line; raises RuleLoadError, TagListError, GoldError."""
    from ...packs.discover import discover
    from ...tagging.tagger import load_taglist
    from .corpus import load_corpus
    from .workbench import Workbench

    taglist = load_taglist(tags)
    packs = discover(rules or (), builtin, True)
    corpus_data = load_corpus([str(c) for c in corpus or ()], str(gold) if gold else None, taglist)
    return Workbench(packs, taglist, max_tags, corpus_data)


def listen(host: str, port: int):
    """The listening socket, bound before the URL is printed (so the URL is
    true, and --port 0 names the port the system chose)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    return sock


def serve(wb, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False, jobs: int = 1) -> None:
    """Serve until interrupted; OSError if the address cannot be bound."""
    import uvicorn

    from .guard import allowed_hosts
    from .web import build_app

    sock = listen(host, port)
    port = sock.getsockname()[1]
    if jobs > 1:
        sys.stderr.write(f"repotag workbench: parsing the corpus, starting {jobs} workers\n")
    wb.start_jobs(jobs)  # here, in the main thread, before the server starts its threads
    app = build_app(wb, allowed_hosts(host, port))
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    sys.stderr.write(f"repotag workbench: {url}  (Ctrl-C stops it)\n")
    sys.stdout.write(url + "\n")
    sys.stdout.flush()
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        wb.close()
