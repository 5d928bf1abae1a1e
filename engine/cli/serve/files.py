"""The files the workbench may open and save: the YAML files of the packs in
use, named by `<pack index>/<path inside the pack>`, and nothing else.

A name is resolved against the pack's own listing (what the loader reads),
never joined onto a path and trusted: `../`, absolute paths, NUL bytes and
names of files outside the listing are refused, and so is a listed file whose
real path leaves its pack (a symlink out of the pack may be read by the rule
loader, but the workbench neither shows nor writes through it).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ...packs.discover import Pack
from ...packs.model import PACK_FILE, rule_files

MAX_NAME = 1000


class AccessError(Exception):
    """A file name the workbench refuses; status is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 404):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class PackFile:
    key: str  # "0/tags/ai.yml": the name the page and the API use
    pack: int
    rel: str  # the path inside the pack, with /
    path: Path  # as the rule loader names it (locations in problems and evidence use it)
    inside: bool  # its real path lies inside the pack's real path

    @property
    def loader_name(self) -> str:
        return str(self.path)


def _inside(path: Path, root: Path) -> bool:
    try:
        real, top = os.path.realpath(path), os.path.realpath(root)
    except (OSError, ValueError):
        return False
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def pack_files(packs: list[Pack]) -> list[PackFile]:
    """Every YAML file of every pack, in load order: pack.yml, then the rule files."""
    out = []
    for i, pack in enumerate(packs):
        root = pack.path
        if not root.is_dir():
            continue
        paths = ([root / PACK_FILE] if (root / PACK_FILE).is_file() else []) + rule_files(root)
        for p in paths:
            rel = p.relative_to(root).as_posix()
            out.append(PackFile(f"{i}/{rel}", i, rel, p, _inside(p, root)))
    return out


def resolve(packs: list[Pack], key) -> PackFile:
    """The PackFile a name stands for, or AccessError."""
    if not isinstance(key, str) or not key or len(key) > MAX_NAME or "\0" in key:
        raise AccessError("file: expected the name of a rule file such as 0/tags/ai.yml", 400)
    head, _, rel = key.partition("/")
    if not head.isdigit() or not rel:
        raise AccessError(f"file {key!r}: names look like <pack>/<path in the pack>", 400)
    pure = PurePosixPath(rel)
    if pure.is_absolute() or "\\" in rel or any(part in ("..", ".", "") for part in rel.split("/")):
        raise AccessError(f"file {key!r}: only files of the rule packs in use can be opened", 403)
    i = int(head)
    if i >= len(packs):
        raise AccessError(f"file {key!r}: there is no pack {i}", 404)
    for f in pack_files([packs[i]]):
        if f.rel == rel:
            if not f.inside:
                raise AccessError(f"file {key!r}: its real path is outside the pack (a symlink)", 403)
            return PackFile(key, i, f.rel, f.path, True)
    raise AccessError(f"file {key!r}: not a rule file of pack {i} ({packs[i].path})", 404)
