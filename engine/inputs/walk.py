"""Finding READMEs under a directory argument (of `tag` and `audit`).

A folder that holds a README is a project: its one README (by preference,
README.md before README.rst, README.txt, README, ...) stands for it, and what
lies below it belongs to the project (docs, examples, vendored code), so the
walk does not go further. A folder without a README is a collection: its
subfolders are walked, and at the top of the argument its `*.md` files are
READMEs named by their stems (the flat layout of a corpus, `dev/6611.md`).

Hidden folders (`.git`, `.venv`, ...) and dependency folders (`node_modules`,
`vendor`, ...) are never walked; a symbolic link to a folder is followed once
(so neither a loop nor a second route into the same tree is walked again).
Order is stable: entries are visited sorted by name, depth first, which is
the order of their sorted paths.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

# README name endings, most wanted first: what GitHub and the forges render
# as a README, then plain text, then the rarer markups. Anything else
# (README.Debian, README.ja.md, README-dev.md) comes after, by name.
README_KINDS = ("md", "markdown", "mdown", "mkd", "rst", "txt", "", "adoc", "asciidoc", "org",
                "textile", "rdoc", "pod", "wiki")
# Compressed READMEs are read through these (Debian compresses docs over 4 KB),
# and rank just after the same README uncompressed.
COMPRESSED = (".gz",)
# Folders of other people's code (dependency trees, vendored copies, virtual
# environments): their READMEs describe what a project uses, not the project.
# Compared case-insensitively; hidden folders (a leading dot) are skipped too.
SKIP_FOLDERS = frozenset({
    "node_modules", "bower_components", "jspm_packages", "web_modules",
    "vendor", "vendors", "third_party", "third-party", "thirdparty", "3rdparty",
    "site-packages", "dist-packages", "__pycache__", "venv", "virtualenv",
    "pods", "carthage", "godeps",
})
FLAT_SUFFIXES = (".md", ".markdown")
ALIASES_SHOWN = 3


def strip_compressed(name: str) -> tuple[str, bool]:
    """(name without a compression suffix, whether it had one)."""
    low = name.lower()
    for suf in COMPRESSED:
        if low.endswith(suf) and len(name) > len(suf):
            return name[: -len(suf)], True
    return name, False


def stem(name: str) -> str:
    """A file name without its extension (and compression suffix): README.md.gz → README."""
    return Path(strip_compressed(name)[0]).stem


def is_readme(name: str) -> bool:
    return name.lower().startswith("readme")


def readme_rank(name: str) -> tuple | None:
    """Sort key among the READMEs of one folder (lowest wins); None if not a README."""
    if not is_readme(name):
        return None
    base, compressed = strip_compressed(name)
    rest = base[len("readme"):].lower()
    if rest == "":
        kind = README_KINDS.index("")
    elif rest.startswith(".") and rest[1:] in README_KINDS:
        kind = README_KINDS.index(rest[1:])
    else:
        kind = len(README_KINDS)
    return (kind, compressed, name)


def is_flat_readme(name: str) -> bool:
    """A file a collection folder's top holds as a README named by its stem."""
    return strip_compressed(name)[0].lower().endswith(FLAT_SUFFIXES)


def skipped_folder(name: str) -> bool:
    return name.startswith(".") or name.lower() in SKIP_FOLDERS


@dataclass(frozen=True)
class Found:
    """A README the walk found: its path as reached from the argument, and
    that path relative to the argument (`rel`, POSIX separators)."""

    path: Path
    rel: str
    readme: bool  # named README*: stands for its folder


@dataclass
class Walk:
    root: Path
    found: list[Found] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # the argument itself could not be listed
    folders: int = 0  # folders looked into
    skipped: list[str] = field(default_factory=list)  # hidden and dependency folders not walked


def _key(st) -> tuple[int, int]:
    return (st.st_dev, st.st_ino)


def _list(path: Path) -> list[os.DirEntry]:
    with os.scandir(path) as it:
        return sorted(it, key=lambda e: e.name)


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()  # follows a symlink; False for a loop or a dangling link
    except OSError:
        return False


def walk(root: Path, recursive: bool = True) -> Walk:
    """The READMEs a directory argument names, in sorted path order."""
    w = Walk(root)
    try:
        seen = {_key(os.stat(root)): "."}
        top = _list(root)
    except OSError as exc:
        w.error = f"{root}: cannot list directory: {exc.strerror or exc}"
        return w
    w.folders = 1
    aliases: list[tuple[str, str]] = []  # (link, folder walked at another path)
    # An explicit stack, not recursion: a tree may be deeper than Python's
    # stack. It holds folders still to list, so memory follows the depth and
    # the widest folder, not the size of the tree.
    stack: list[tuple[str, Path]] = [(".", root)]
    while stack:
        rel, path = stack.pop()
        at_top = rel == "."
        if at_top:
            entries = top
        else:
            try:
                entries = _list(path)
            except OSError as exc:
                w.warnings.append(f"{path}: cannot list folder: {exc.strerror or exc}")
                continue
            w.folders += 1
        readmes = sorted((e for e in entries if is_readme(e.name) and not _is_dir(e)),
                         key=lambda e: readme_rank(e.name))
        if readmes:
            best = readmes[0]
            w.found.append(Found(Path(best.path), _join(rel, best.name), True))
            continue  # a project: what lies below it is its own
        folders = []
        for e in entries:
            if at_top and is_flat_readme(e.name):
                # Whatever it is (a fifo, a loop, a directory named x.md): an
                # input, so reading it reports what is wrong with it.
                w.found.append(Found(Path(e.path), e.name, False))
                continue
            if not recursive or not _is_dir(e):
                continue
            sub = _join(rel, e.name)
            if skipped_folder(e.name):
                w.skipped.append(sub)
                continue
            try:
                folders.append((sub, e, _key(os.stat(e.path)), e.is_symlink()))
            except OSError as exc:
                w.warnings.append(f"{e.path}: cannot read folder: {exc.strerror or exc}")
        # A real folder claims itself before a sibling link to it does, so the
        # link is the one reported as not walked (Debian: g++ → cpp).
        for sub, e, key, link in folders:
            if not link:
                seen.setdefault(key, sub)
        children = []
        for sub, e, key, link in folders:
            first = seen.setdefault(key, sub)
            if first == sub:
                children.append((sub, Path(e.path)))
            elif first == "." or sub.startswith(first + "/"):
                w.warnings.append(f"{e.path}: not walked: a symbolic link loop back to {_shown(root, first)}")
            else:
                aliases.append((e.path, _shown(root, first)))
        stack.extend(reversed(children))
    if aliases:
        # One line, not one per link: Debian's /usr/share/doc alone has dozens.
        shown = ", ".join(f"{a} (= {b})" for a, b in aliases[:ALIASES_SHOWN])
        more = f" and {len(aliases) - ALIASES_SHOWN} more" if len(aliases) > ALIASES_SHOWN else ""
        n = len(aliases)
        w.warnings.append(f"{root}: {n} symbolic link{'s' * (n != 1)} to folders walked at another path, "
                          f"not walked again: {shown}{more}")
    # Files of a folder were found before its subfolders' READMEs: sort by path.
    w.found.sort(key=lambda f: f.rel.split("/"))
    return w


def _join(rel: str, name: str) -> str:
    return name if rel == "." else f"{rel}/{name}"


def _shown(root: Path, rel: str) -> str:
    return str(root) if rel == "." else str(root / rel)
