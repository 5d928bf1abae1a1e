"""The id of each record: what a catalogue joins the output back on.

`--id-from auto` (the default): a file named README* is named for the folder
holding it (`checkouts/alpha/README.md` → `alpha`); any other file keeps its
stem (`dev/6611.md` → `6611`). `stem`, `folder` and `path` (the path below
the argument) choose one rule for every file.

Two inputs of one run never share an id: when names collide, each colliding
input is named by more of its path, first relative to its argument
(`a/utils`, `b/utils`), then as given on the command line (with the file
name, if that is what differs), then absolute, and a warning names the paths. Only `--id` (one id for every input) and
the ids written in JSONL data are taken as they are.
"""
from __future__ import annotations

import os
from collections import defaultdict

from .walk import stem

ID_FROM = ("auto", "stem", "folder", "path")
SHOW = 4  # paths a collision warning names before "and N more"


def _posix(p: str) -> str:
    return p.replace(os.sep, "/") if os.sep != "/" else p


def given(src) -> str:
    """The input's path as reached from the working directory, normalised."""
    return _posix(os.path.normpath(os.path.join(src.arg, src.rel) if src.rel else src.arg))


def _names_folder(src, mode: str) -> bool:
    return mode == "folder" or (mode == "auto" and src.readme)


def _folder_name(path: str) -> str:
    return os.path.basename(os.path.dirname(os.path.abspath(path)))


def base_id(src, mode: str) -> str:
    name = os.path.basename(given(src))
    if mode == "path":
        return src.rel or given(src)
    if _names_folder(src, mode):
        # "." or "/" hold no name: the folder's absolute path gives one (or none at "/").
        return _folder_name(given(src)) or stem(name)
    return stem(name)


LEVELS = (1, 2, 3, 4)


def qualified(src, mode: str, level: int) -> str | None:
    """The id with more of the path: 1 relative to the argument, 2 as given,
    3 as given with the file's name (two READMEs of one folder, both given),
    4 absolute. None where a level adds nothing."""
    if level == 1:
        if not src.rel:
            return None
        path = src.rel
    elif level in (2, 3):
        path = given(src)
    else:
        path = _posix(os.path.abspath(given(src)))
    if mode == "path" or level >= 3:
        return path
    head, name = os.path.split(path)
    if _names_folder(src, mode):
        return head if head not in ("", ".") else None
    return f"{head}/{stem(name)}" if head else stem(name)


def assign(sources, mode: str = "auto", forced: str | None = None) -> list[str]:
    """Set `id` on every source that needs one (files; stdin and unlistable
    arguments keep theirs); return warnings about collisions."""
    files = [s for s in sources if s.kind == "file"]
    if forced is not None:
        for s in sources:
            if s.kind in ("file", "stdin"):
                s.id = forced
        return []
    for s in files:
        s.id = base_id(s, mode)
    named = [s for s in sources if s.kind in ("file", "stdin", "error")]
    first = _groups(named)
    if not first:
        return []
    for level in LEVELS:
        dups = [s for _, g in _groups(named) for s in g if s.kind == "file"]
        if not dups:
            break
        for s in dups:
            q = qualified(s, mode, level)
            if q:
                s.id = q
    out = []
    for iid, group in first:
        paths = [given(s) if s.kind == "file" else "<stdin>" if s.kind == "stdin" else s.arg for s in group]
        more = f" and {len(paths) - SHOW} more" if len(paths) > SHOW else ""
        new = ", ".join(repr(s.id) for s in group[:SHOW])
        out.append(f"id {iid!r} would name {len(group)} inputs ({', '.join(paths[:SHOW])}{more}): "
                   f"named {new}{more} instead")
    return out


def _groups(named) -> list[tuple[str, list]]:
    by: dict[str, list] = defaultdict(list)
    for s in named:
        by[s.id].append(s)
    return [(iid, g) for iid, g in by.items() if len(g) > 1]
