"""Where rule packs come from, in load order (later packs win):

1. the built-in pack (inside the package, or the source tree's rules/);
2. installed distributions' entry points in the group `repotag.rules`;
3. the directories listed in REPOTAG_RULES (os.pathsep-separated);
4. each `--rules DIR`, in the order given.

An entry point names a folder inside a package, `name = "package:folder"`
(`folder` may be dotted for a deeper folder: `package:data.rules`), or the
package folder itself, `name = "package"`. The package is located, never
imported: installing a rule pack must not run its code, and its YAML is only
composed, never constructed.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .model import PACK_FILE, Loc, Problem, RuleLoadError, builtin_dir

ENTRY_POINT_GROUP = "repotag.rules"
ENV_VAR = "REPOTAG_RULES"


@dataclass(frozen=True)
class Pack:
    path: Path
    origin: str  # builtin | entry point NAME (DIST VERSION) | REPOTAG_RULES | --rules

    def __fspath__(self) -> str:
        return str(self.path)

    @property
    def label(self) -> str:
        """A short name for listings: the builtin, a plugin's entry point name, or the folder."""
        if self.origin == "builtin":
            return "builtin"
        if self.origin.startswith("entry point "):
            return "plugin:" + self.origin.split()[2]
        return self.path.name or str(self.path)


def _entry_point_dir(ep) -> Path:
    import importlib.util

    module, _, attr = ep.value.partition(":")
    module = module.strip()
    if "." in module:
        # find_spec of a submodule imports its parents; locate the top
        # package without importing and walk down the folders instead.
        top, *rest = module.split(".")
    else:
        top, rest = module, []
    spec = importlib.util.find_spec(top)
    if spec is None or not spec.submodule_search_locations:
        raise LookupError(f"package {top!r} is not installed (or is a module, not a package)")
    base = Path(next(iter(spec.submodule_search_locations)))
    parts = rest + [p for p in attr.strip().split(".") if p]
    return base.joinpath(*parts)


def _any_declared() -> bool:
    """Whether any installed distribution's entry_points.txt names our group.
    A plain scan of sys.path: importing importlib.metadata costs more than a
    one-README run's tagging, and most installations declare no rule pack."""
    needle = f"[{ENTRY_POINT_GROUP}]"
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as it:
                metas = [e.path for e in it if e.name.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue  # a zip file, a missing folder: importlib.metadata will see it if it matters
        for meta in metas:
            try:
                with open(os.path.join(meta, "entry_points.txt"), encoding="utf-8", errors="replace") as fh:
                    if needle in fh.read():
                        return True
            except OSError:
                continue
    # Distributions inside zip files on sys.path are not scanned here: let
    # importlib.metadata look whenever such a file exists.
    return any(os.path.isfile(entry) for entry in sys.path)


def entry_point_packs() -> list[Pack]:
    """Packs declared by installed distributions, sorted by entry point name
    and distribution so the load order does not depend on sys.path order."""
    found, problems = [], []
    if not _any_declared():
        return found
    import importlib.metadata

    eps = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    seen = set()
    for ep in sorted(eps, key=lambda e: (e.name, e.value, getattr(e.dist, "name", "") or "")):
        dist = ep.dist
        who = f"{dist.name} {dist.version}" if dist is not None else "unknown distribution"
        if (ep.name, ep.value) in seen:
            continue  # the same distribution seen twice on sys.path
        seen.add((ep.name, ep.value))
        where = f"entry point {ep.name} = {ep.value!r} ({who})"
        try:
            path = _entry_point_dir(ep)
        except (LookupError, ImportError, ValueError) as exc:
            problems.append(Problem(Loc(where, 1), f"cannot locate the rule pack: {exc}", "missing-pack"))
            continue
        if not path.is_dir():
            problems.append(Problem(Loc(where, 1), f"rule pack folder {path} does not exist", "missing-pack"))
            continue
        found.append(Pack(path, f"entry point {ep.name} ({who})"))
    if problems:
        raise RuleLoadError(problems)
    return found


def env_packs(environ=None) -> list[Pack]:
    value = (os.environ if environ is None else environ).get(ENV_VAR, "")
    return [Pack(Path(p), ENV_VAR) for p in value.split(os.pathsep) if p.strip()]


def discover(extra=(), builtin: bool = True, plugins: bool = True, environ=None) -> list[Pack]:
    """The packs in use, in load order. `plugins` covers entry points and
    REPOTAG_RULES; `extra` are the --rules directories. A folder reached
    twice is loaded once, at its first place."""
    packs = [Pack(builtin_dir(), "builtin")] if builtin else []
    if plugins:
        packs += entry_point_packs() + env_packs(environ)
    packs += [p if isinstance(p, Pack) else Pack(Path(p), "--rules") for p in extra]
    out, seen = [], set()
    for p in packs:
        key = p.path.resolve() if p.path.exists() else p.path
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def pack_root(path: Path) -> Path:
    """The pack a rule file belongs to: the nearest folder above it holding a
    pack.yml or tags.json, else the file's own folder."""
    path = path.resolve()
    for d in path.parents:
        if (d / PACK_FILE).is_file() or (d / "tags.json").is_file():
            return d
        if d == Path(d.anchor):
            break
    return path.parent


def packs_for_paths(paths, in_use: list[Pack]) -> tuple[list[Pack], set[str] | None]:
    """Packs to load for checking PATHs (rule files or pack folders): the packs
    in use, so overrides of their rules resolve, then each PATH's pack not
    already among them. Also the files to report on (None: all of them)."""
    if not paths:
        return in_use, None
    packs = list(in_use)
    known = {p.path.resolve() for p in packs if p.path.exists()}
    only: set[str] = set()
    missing = [Problem(Loc(str(p), 1), "no such file or directory", "missing-pack") for p in paths if not Path(p).exists()]
    if missing:
        raise RuleLoadError(missing)
    for raw in paths:
        path = Path(raw)
        root = path if path.is_dir() else pack_root(path)
        only.add(str(path.resolve()))
        if root.resolve() not in known:
            known.add(root.resolve())
            packs.append(Pack(root, "--rules"))
    return packs, only


def in_paths(file: str, only: set[str] | None) -> bool:
    """Whether a problem's or example's file lies under one of the PATHs."""
    if only is None:
        return True
    p = Path(file)
    if not p.exists():
        return False
    p = p.resolve()
    return any(str(p) == o or str(p).startswith(o.rstrip(os.sep) + os.sep) for o in only)
