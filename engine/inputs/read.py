"""Inputs: files, stdin and JSONL lines → (id, text) items (directories: walk.py, sources.py).

Every input yields exactly one Item: text to tag (maybe with warnings) or an
error. Nothing is dropped silently and nothing here raises for bad input.
"""
from __future__ import annotations

import codecs
import json
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .walk import strip_compressed

# Beyond this many characters a README is cut before analysis (and the record
# says so in "warnings"). What a project is shows in its first pages: the dev
# corpus tops out near 20 KB and only the largest awesome lists pass 250 KB.
# The cap is what bounds time: markdown-it-py is linear but slow on hostile
# Markdown (unclosed `![` cost ~50 us a character), so the worst input found
# takes ~15 s of CPU and ordinary text at the cap ~2 s.
MAX_CHARS = 250_000
# UTF-8 and UTF-16 need at most 4 bytes a character: reading this much is
# enough for MAX_CHARS, and a 50 MB file is never held in memory whole.
READ_BYTES = 4 * MAX_CHARS + 4
MAX_BYTES = 64 * 1024 * 1024  # a prompt or a JSONL line is read up to this, then its text capped

# Share of control or undecodable characters above which "text" is binary.
_BINARY_SHARE = 0.1
_TEXT_CONTROLS = set("\t\n\r\f\v\x1b")
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


@dataclass
class Item:
    id: str
    text: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    source: str = ""


def _looks_binary(sample: str) -> bool:
    if not sample:
        return False
    bad = sum(1 for c in sample if c == "\ufffd" or (c < " " and c not in _TEXT_CONTROLS) or c == "\x7f")
    return bad > max(8, _BINARY_SHARE * len(sample))  # a few stray bytes in a short file are not binary


def decode(data: bytes, truncated: bool = False) -> tuple[str | None, str | None, list[str]]:
    """(text, error, warnings) for raw README bytes.

    Invalid UTF-8 is decoded with U+FFFD replacement characters and a
    warning, not refused: a README with one mis-encoded byte still says what
    the project is. `truncated`: data is a prefix, so a character cut at its
    end is not an error."""
    warnings: list[str] = []
    if data.startswith(_UTF32_BOMS):
        codec, label = "utf-32", "UTF-32"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        codec, label = "utf-16", "UTF-16"
    else:
        codec, label = "utf-8", None
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
        if b"\x00" in data[:8192]:
            return None, "binary file (NUL bytes; or UTF-16 without a byte-order mark), not a README", []
    try:
        text = codecs.getincrementaldecoder(codec)("strict").decode(data, final=not truncated)
    except UnicodeDecodeError as exc:
        if label:
            return None, f"invalid {label} at byte {exc.start}", []
        text = codecs.getincrementaldecoder(codec)("replace").decode(data, final=not truncated)
        warnings.append(f"invalid UTF-8 at byte {exc.start}: undecodable bytes replaced with U+FFFD")
    if label:
        warnings.append(f"decoded as {label} (byte-order mark)")
    if _looks_binary(text[:8192]):
        return None, "binary file (mostly control or undecodable bytes), not a README", []
    return text, None, warnings


def cap(item: Item, input_size: str | None = None) -> Item:
    """Cut the text to MAX_CHARS, saying so; flag text with nothing to analyse."""
    if item.text is None:
        return item
    if len(item.text) > MAX_CHARS or input_size:
        whole = input_size or f"{len(item.text)} characters"
        item.warnings.append(f"analysed the first {MAX_CHARS} characters of {whole}")
        item.text = item.text[:MAX_CHARS]
    if not item.text.strip():
        item.warnings.append("empty README (no text to analyse)")
    return item


def _open_regular(path: Path):
    """(binary file, size, None) or (None, 0, error) for a regular file.

    Opened non-blocking and checked after opening, so a fifo or device (or a
    file swapped for one) is refused instead of blocking or reading forever."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        return None, 0, f"{path}: cannot read: {exc.strerror or exc}"
    try:
        st = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        return None, 0, f"{path}: cannot read: {exc.strerror or exc}"
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        kind = ("a directory" if stat.S_ISDIR(st.st_mode) else "a fifo" if stat.S_ISFIFO(st.st_mode)
                else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        return None, 0, f"{path}: not a regular file ({kind}), skipped"
    return os.fdopen(fd, "rb"), st.st_size, None


def _read_capped(fh, limit: int) -> tuple[bytes, bool]:
    data = fh.read(limit + 1)
    return (data[:limit], True) if len(data) > limit else (data, False)


def read_path(path: Path, id_: str | None = None, whole: bool = False) -> Item:
    """One file as an Item. whole: read up to MAX_BYTES without cutting the
    text (a prompt's tag list comes after its README)."""
    iid = id_ or path.stem
    fh, size, err = _open_regular(path)
    if err:
        return Item(iid, error=err, source=str(path))
    _, compressed = strip_compressed(path.name)
    try:
        with fh:
            if compressed:
                # Debian and others ship READMEs gzipped; only what the cap
                # needs is inflated, so a gzip bomb costs no more than 1 MB.
                import gzip
                import zlib

                try:
                    with gzip.GzipFile(fileobj=fh, mode="rb") as gz:
                        data, truncated = _read_capped(gz, MAX_BYTES if whole else READ_BYTES)
                except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
                    return Item(iid, error=f"{path}: not a readable gzip file: {exc}", source=str(path))
            else:
                data, truncated = _read_capped(fh, MAX_BYTES if whole else READ_BYTES)
    except OSError as exc:
        return Item(iid, error=f"{path}: cannot read: {exc.strerror or exc}", source=str(path))
    text, err, w = decode(data, truncated)
    if err:
        return Item(iid, error=f"{path}: {err}", source=str(path))
    item = Item(iid, text, None, w, str(path))
    if whole:
        if truncated:
            item.warnings.append(f"read the first {MAX_BYTES} bytes only")
        return item
    return cap(item, (f"a {size}-byte compressed file" if compressed else f"a {size}-byte file")
               if truncated else None)


def read_stdin(id_: str = "stdin", whole: bool = False) -> Item:
    # Never drained past the limit: `yes | repotag tag -` must end.
    data, truncated = _read_capped(sys.stdin.buffer, MAX_BYTES if whole else READ_BYTES)
    text, err, w = decode(data, truncated)
    if err:
        return Item(id_, error=f"<stdin>: {err}", source="<stdin>")
    item = Item(id_, text, None, w, "<stdin>")
    if whole:
        return item
    return cap(item, f"more than {READ_BYTES} bytes (the rest was not read)" if truncated else None)


def _lines(fh, limit: int):
    """(line number, bytes, too_long) for each line, holding at most `limit`
    bytes of one line in memory."""
    n = 0
    while True:
        raw = fh.readline(limit + 1)
        if not raw:
            return
        n += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            while True:  # skip the rest of the overlong line
                more = fh.readline(1 << 20)
                if not more or more.endswith(b"\n"):
                    break
            yield n, b"", True
            continue
        yield n, raw, False


def jsonl_item(raw: bytes | str, where: str) -> Item | None:
    """The Item of one JSONL line (None for a blank line); a bad line
    becomes an error naming it."""
    if not raw.strip():
        return None
    def bad(msg: str, iid: str = where) -> Item:
        return Item(iid, error=f"{where}: {msg}", source=where)

    try:
        obj = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except UnicodeDecodeError as exc:
        return bad(f"invalid UTF-8 at byte {exc.start}")
    except json.JSONDecodeError as exc:
        return bad(f"invalid JSON: {exc.msg} (column {exc.colno})")
    except RecursionError:
        return bad("invalid JSON: nested too deeply")
    if not isinstance(obj, dict):
        return bad(f"expected an object with \"id\" and \"text\", not {type(obj).__name__}")
    if "id" not in obj:
        return bad('missing "id"')
    iid = obj["id"]
    if isinstance(iid, bool) or not isinstance(iid, (int, str)):
        return bad(f'"id" must be a string or an integer, not {type(iid).__name__}')
    iid = str(iid)
    if "text" not in obj:
        return bad('missing "text"', iid)
    if not isinstance(obj["text"], str):
        return bad(f'"text" must be a string, not {type(obj["text"]).__name__}', iid)
    return cap(Item(iid, obj["text"], None, [], where))


def iter_jsonl(path: str):
    """Items of a JSONL file of {"id": ..., "text": ...} lines; a bad line is an error item naming it."""
    name = "<stdin>" if path == "-" else path
    if path == "-":
        fh = sys.stdin.buffer
    else:
        fh, _, err = _open_regular(Path(path))
        if err:
            yield Item(Path(path).stem, error=err, source=name)
            return
    with fh:
        for n, raw, too_long in _lines(fh, MAX_BYTES):
            where = f"{name}:{n}"
            if too_long:
                yield Item(where, error=f"{where}: line longer than {MAX_BYTES} bytes, skipped", source=where)
                continue
            if n == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            if raw.strip():
                yield jsonl_item(raw, where)
