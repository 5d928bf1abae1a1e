"""What the PATH arguments of `tag` and `audit` name, decided before any is read.

Each argument becomes sources: a file (given, or found by the walk of a
directory), stdin, a JSONL file, or an error (a directory that cannot be
listed). Planning first lets every file get an id that no other input of the
run has (ids.py), tells the progress bar how many inputs there are, and
reports an argument that names no README before the run starts. Reading
(`Plan.items`) then streams one input at a time.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from . import ids
from .read import Item, iter_jsonl, read_path, read_stdin
from .walk import is_readme, walk


@dataclass
class Source:
    kind: str  # "file", "stdin", "jsonl" or "error"
    arg: str  # the argument as given
    rel: str = ""  # path below a directory argument ("" for the argument itself)
    readme: bool = False  # named README*: its id is its folder's name
    id: str = ""
    error: str | None = None

    @property
    def path(self) -> Path:
        return Path(self.arg, self.rel) if self.rel else Path(self.arg)


@dataclass
class Plan:
    sources: list[Source]
    warnings: list[str] = field(default_factory=list)  # said before the run
    empty: list[str] = field(default_factory=list)  # one message per argument that named no README

    @property
    def total(self) -> int | None:
        """How many inputs, when known before reading (not with JSONL)."""
        return None if any(s.kind == "jsonl" for s in self.sources) else len(self.sources)

    def items(self):
        """An Item per input, in order. A JSONL argument that turns out to
        hold no line is added to `empty` once it has been read."""
        for s in self.sources:
            if s.kind == "jsonl":
                n = 0
                for item in iter_jsonl(s.arg):
                    n += 1
                    yield item
                if n == 0:
                    self.empty.append(f"{s.arg}: no README (no JSONL line)")
            elif s.kind == "error":
                yield Item(s.id, error=s.error, source=s.arg)
            elif s.kind == "stdin":
                yield read_stdin(s.id)
            else:
                yield read_path(s.path, s.id)


def _no_readme(arg: str, w, recursive: bool) -> str:
    if not recursive:
        return f"{arg}: no README and no *.md file at its top (subfolders are not walked with --no-recursive)"
    below = w.folders - 1
    where = f"here or in its {below} subfolder{'s' * (below != 1)}" if below else "here, and no subfolder"
    msg = f"{arg}: no README {where}"
    if w.skipped:
        shown = ", ".join(w.skipped[:3]) + (f" and {len(w.skipped) - 3} more" if len(w.skipped) > 3 else "")
        msg += f" (not walked: {shown}: hidden or dependency folders)"
    return msg


def plan(paths: list[str], input_format: str = "auto", id_: str | None = None,
         recursive: bool = True, id_from: str = "auto") -> Plan:
    """The sources of the PATH arguments, in order, each file named once."""
    sources: list[Source] = []
    warnings: list[str] = []
    empty: list[str] = []
    for arg in paths:
        if input_format == "jsonl" or (input_format == "auto" and arg.endswith(".jsonl") and arg != "-"):
            sources.append(Source("jsonl", arg))
        elif arg == "-":
            sources.append(Source("stdin", arg, id="stdin"))
        elif os.path.isdir(arg):  # False for a symlink loop: reading it reports that
            w = walk(Path(arg), recursive)
            warnings += w.warnings
            if w.error:
                sources.append(Source("error", arg, id=Path(arg).name or arg, error=w.error))
            elif not w.found:
                empty.append(_no_readme(arg, w, recursive))
            sources += [Source("file", arg, f.rel, f.readme) for f in w.found]
        else:
            sources.append(Source("file", arg, readme=is_readme(os.path.basename(arg))))
    sources, dup_warnings = _once(sources)
    warnings += dup_warnings
    warnings += ids.assign(sources, id_from, id_)
    return Plan(sources, warnings, empty)


def _once(sources: list[Source]) -> tuple[list[Source], list[str]]:
    """Each file once: a file reached twice through the same folder (`tag
    checkouts checkouts/alpha`, `tag a.md ./a.md`, a link to a folder given
    too) is tagged the first time only. Two folders sharing one README file
    (Debian links the docs of related packages) stay two projects."""
    seen: dict[tuple, Source] = {}
    folders: dict[str, tuple | None] = {}
    out, warnings = [], []
    for s in sources:
        if s.kind == "file":
            parent, name = os.path.split(os.path.abspath(s.path))
            if parent not in folders:
                try:
                    st = os.stat(parent)
                    folders[parent] = (st.st_dev, st.st_ino)
                except OSError:
                    folders[parent] = None  # reading the file reports the problem
            if folders[parent] is not None:
                key = (folders[parent], name)
                if key in seen:
                    a, b = ids.given(s), ids.given(seen[key])
                    warnings.append(f"{a}: named twice, tagged once" if a == b else
                                    f"{a}: the same file as {b}, tagged once")
                    continue
                seen[key] = s
        out.append(s)
    return out, warnings


def iter_inputs(paths: list[str], input_format: str = "auto", id_: str | None = None, **options):
    """Items for PATH arguments, for callers that need no warnings (bench/)."""
    return plan(paths, input_format, id_, **options).items()
