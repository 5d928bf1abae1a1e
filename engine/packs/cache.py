"""A cache of loaded rule packs, so `repotag tag README.md` starts fast.

Loading the built-in pack means composing ~90 YAML files node by node, which
costs far more than tagging one README. A successful load is pickled under
the user's cache directory, keyed on the engine's code files, the Python version and on
the path and the full contents of every file that went into it (rule files,
pack.yml, tags.json), so any edit, added or removed file misses the cache.
Everything here fails silently: an unreadable, unwritable or corrupt cache
just means loading from YAML. REPOTAG_NO_CACHE=1 turns it off;
REPOTAG_CACHE_DIR moves it.
"""
from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

try:
    # hashlib's own blake2b, without hashlib loading OpenSSL (~5 ms of a warm
    # start that needs no other hash).
    from _blake2 import blake2b
except ImportError:  # not CPython
    from hashlib import blake2b

FORMAT = 4  # bump when the pickled classes change shape or how they are pickled


def cache_dir() -> Path:
    env = os.environ.get("REPOTAG_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or (
        os.environ.get("LOCALAPPDATA") if sys.platform == "win32" else None) or Path.home() / ".cache"
    return Path(base) / "repotag"


def enabled() -> bool:
    return os.environ.get("REPOTAG_NO_CACHE", "") in ("", "0")


def key(files: list[Path], extra: str = "") -> str:
    """Digest of everything a load depends on; the files in load order."""
    h = blake2b(digest_size=20)
    h.update(f"{FORMAT}\0{sys.implementation.cache_tag}\0{extra}\0".encode())
    # The engine's own code shapes what is pickled (an edited checkout must
    # not read a cache its classes no longer match): its files' paths, sizes
    # and times. A new release changes them too, so no version is needed.
    root = Path(__file__).resolve().parent.parent
    for src in sorted(root.rglob("*.py")):
        st = src.stat()
        h.update(f"{src.relative_to(root).as_posix()}:{st.st_size}:{st.st_mtime_ns}\0".encode())
    for f in files:
        h.update(str(f).encode("utf-8", "surrogateescape") + b"\0")
        try:
            h.update(f.read_bytes())
        except OSError:
            h.update(b"\0<unreadable>")
        h.update(b"\0")
    return h.hexdigest()


def load(digest: str):
    if not enabled():
        return None
    try:
        with open(cache_dir() / f"rules-{digest}.pickle", "rb") as fh:
            return pickle.load(fh)
    except Exception:  # missing, truncated or from an incompatible build: load from YAML
        return None


def store(digest: str, obj) -> None:
    if not enabled():
        return
    try:
        d = cache_dir()
        d.mkdir(parents=True, exist_ok=True)
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=d, prefix=".rules-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, d / f"rules-{digest}.pickle")  # atomic: readers never see half a file
        except BaseException:
            os.unlink(tmp)
            raise
        _prune(d)
    except Exception:
        pass


KEEP = 16  # cached rule sets kept; every edit of a rule file makes a new one


def _prune(d: Path) -> None:
    """Drop all but the KEEP most recently written cache files."""
    files = sorted(d.glob("rules-*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in files[KEEP:]:
        try:
            old.unlink()
        except OSError:
            pass
