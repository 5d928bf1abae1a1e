"""Presentation shared by eval, explain and audit: tables for a terminal or a
pipe, self-contained HTML pages, a progress bar, and relative file:line."""
from __future__ import annotations

import html
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

esc = html.escape


def is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def rel(path: str) -> str:
    """A path relative to the working directory when it lies below it: rule
    locations read better as rules/tags/ai.yml than as an absolute path."""
    try:
        p = Path(path)
        if p.is_absolute():
            return p.relative_to(Path.cwd()).as_posix()
    except ValueError:
        pass
    return path


def loc_str(loc) -> str:
    return f"{rel(loc.file)}:{loc.line}:{loc.col}"


def num(x: float, nd: int = 2) -> str:
    s = f"{x:.{nd}f}"
    return "0." + "0" * nd if s.lstrip("-") == "0." + "0" * nd else s


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    right: frozenset = frozenset()  # indexes of right-aligned (numeric) columns
    empty: str = "(none)"


def plain_table(t: Table) -> str:
    out = [t.title] if t.title else []
    if not t.rows:
        return "\n".join(out + [f"  {t.empty}"])
    cells = [t.headers] + [[str(c) for c in r] for r in t.rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(t.headers))]
    for r in cells:
        parts = [c.rjust(w) if i in t.right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))]
        out.append("  " + "  ".join(parts).rstrip())
    return "\n".join(out)


def print_blocks(blocks: list, stream=None) -> None:
    """Print text lines and Tables: rich tables on a terminal, plain aligned
    text when piped (so grep and diff see stable columns)."""
    stream = stream or sys.stdout
    if is_terminal(stream) and not os.environ.get("NO_RICH"):
        from rich import box
        from rich.console import Console
        from rich.table import Table as RichTable

        con = Console(file=stream, highlight=False)
        for b in blocks:
            if isinstance(b, Table):
                if not b.rows:
                    con.print(f"[bold]{esc_rich(b.title)}[/bold]  {b.empty}")
                    continue
                rt = RichTable(title=b.title or None, title_justify="left", box=box.SIMPLE_HEAD)
                for i, h in enumerate(b.headers):
                    rt.add_column(h, justify="right" if i in b.right else "left", overflow="fold")
                for r in b.rows:
                    rt.add_row(*(esc_rich(str(c)) for c in r))
                con.print(rt)
            else:
                con.print(esc_rich(str(b)))
        return
    text = "\n".join(plain_table(b) if isinstance(b, Table) else str(b) for b in blocks)
    stream.write(text + "\n")
    stream.flush()


def esc_rich(s: str) -> str:
    from rich.markup import escape

    return escape(s)


# ---------------------------------------------------------------- HTML

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #dde}
h3{font-size:14px;margin:16px 0 6px}
table{border-collapse:collapse;margin:6px 0 12px}th,td{padding:3px 8px;border-bottom:1px solid #e6e8ef;text-align:left;vertical-align:top}
th{background:#f3f4f8;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
.muted{color:#6b7285}.neg{color:#b3261e}.ok{color:#1b7f3b}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{border:1px solid #dde;border-radius:6px;padding:8px 12px;min-width:120px}
.card b{display:block;font-size:18px}
"""


def page(title: str, body: str, css: str = "") -> str:
    """One self-contained HTML file: inline CSS, no scripts, no network."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
            f"<title>{esc(title)}</title><style>{CSS}{css}</style></head><body>\n{body}\n</body></html>\n")


def html_table(t: Table, raw_cols: frozenset = frozenset()) -> str:
    """A Table as HTML; cells are escaped unless their column is in raw_cols
    (cells the caller built from escaped parts)."""
    if not t.rows:
        return f"<h3>{esc(t.title)}</h3><p class=\"muted\">{esc(t.empty)}</p>" if t.title else ""
    cls = lambda i: ' class="n"' if i in t.right else ""  # noqa: E731
    head = "".join(f"<th{cls(i)}>{esc(h)}</th>" for i, h in enumerate(t.headers))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{c if i in raw_cols else esc(str(c))}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in t.rows)
    title = f"<h3>{esc(t.title)}</h3>" if t.title else ""
    return f"{title}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


# ---------------------------------------------------------------- progress

@contextmanager
def progress(label: str, total: int | None, stream=None):
    """A callable advancing a progress bar on a terminal; a no-op otherwise,
    so logs and pipes never fill with bar redraws."""
    stream = stream or sys.stderr
    if not is_terminal(stream):
        yield lambda n=1: None
        return
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TimeRemainingColumn(),
                  console=Console(file=stream), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n=1: bar.advance(task, n)


def progress_after(label: str, total: int | None, delay: float = 2.0, stream=None, out=None):
    """Like progress, for `repotag tag`: the bar appears only once the run
    has lasted `delay` seconds (a short run stays silent), only on a terminal
    outside CI, and not while records print to that terminal too (the
    records then show the progress, and a redrawn bar would break them).
    Returns (advance, close)."""
    import time

    stream = stream or sys.stderr
    out = out or sys.stdout
    if (not is_terminal(stream) or is_terminal(out) or os.environ.get("CI")
            or os.environ.get("TERM") == "dumb"):
        return (lambda n=1: None), (lambda: None)
    start = time.monotonic()
    state: dict = {"done": 0, "bar": None}

    def advance(n: int = 1) -> None:
        state["done"] += n
        if state["bar"] is not None:
            bar, task = state["bar"]
            bar.advance(task, n)
        elif time.monotonic() - start >= delay:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)

            # stdout carries the records, never the bar; stderr messages print above it.
            bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                           TimeElapsedColumn(), TimeRemainingColumn(), console=Console(file=stream),
                           transient=True, redirect_stdout=False, redirect_stderr=True)
            bar.start()
            task = bar.add_task(label, total=total, completed=state["done"])
            for t in bar.tasks:  # elapsed time counts from the run's start, not the bar's
                if t.id == task and t.start_time is not None:
                    t.start_time -= time.monotonic() - start
            state["bar"] = (bar, task)

    def close() -> None:
        if state["bar"] is not None:
            state["bar"][0].stop()
            state["bar"] = None

    return advance, close
