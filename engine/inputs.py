"""Inputs: files, directories, stdin and JSONL lines → (id, text) items.

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

# Beyond this many characters a README is cut before analysis (and the output
# says so): what a project is shows in its first pages, and the cap keeps
# time and memory bounded on a 50 MB file.
MAX_CHARS = 1_000_000
MAX_BYTES = 64 * 1024 * 1024  # never read more than this from one input


@dataclass
class Item:
    id: str
    text: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    source: str = ""


def decode(data: bytes) -> tuple[str | None, str | None, list[str]]:
    """(text, error, warnings) for raw README bytes."""
    warnings: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), None, ["decoded as UTF-16 (byte-order mark)"]
        except UnicodeDecodeError as exc:
            return None, f"invalid UTF-16 at byte {exc.start}", []
    if b"\x00" in data[:8192]:
        return None, "binary file (NUL bytes), not a README", []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        warnings.append(f"invalid UTF-8 at byte {exc.start}: undecodable bytes replaced with U+FFFD")
    return text, None, warnings


def cap(item: Item) -> Item:
    if item.text is not None and len(item.text) > MAX_CHARS:
        item.warnings.append(f"analysed the first {MAX_CHARS} of {len(item.text)} characters")
        item.text = item.text[:MAX_CHARS]
    return item


def read_path(path: Path, id_: str | None = None) -> Item:
    iid = id_ or path.stem
    try:
        st = path.stat()
    except OSError as exc:
        return Item(iid, error=f"{path}: cannot read: {exc.strerror or exc}", source=str(path))
    if not stat.S_ISREG(st.st_mode):
        return Item(iid, error=f"{path}: not a regular file", source=str(path))
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        return Item(iid, error=f"{path}: cannot read: {exc.strerror or exc}", source=str(path))
    warnings = []
    if len(data) > MAX_BYTES:
        data = data[:MAX_BYTES]
        warnings.append(f"read the first {MAX_BYTES} bytes only")
    text, err, w = decode(data)
    if err:
        return Item(iid, error=f"{path}: {err}", source=str(path))
    return cap(Item(iid, text, None, warnings + w, str(path)))


def _is_readme(p: Path) -> bool:
    return p.suffix.lower() in (".md", ".markdown") or p.name.lower().startswith("readme")


def expand(path: str) -> list[tuple[str, Path | None, str | None]]:
    """A CLI path → (id, path, error) of the inputs it names: itself, or a directory's READMEs."""
    if path == "-":
        return [("stdin", None, None)]
    p = Path(path)
    if p.is_dir():
        try:
            entries = sorted(os.scandir(p), key=lambda e: e.name)
        except OSError as exc:
            return [(p.name, p, f"{p}: cannot list directory: {exc.strerror or exc}")]
        return [(Path(e.path).stem, Path(e.path), None) for e in entries if _is_readme(Path(e.path))]
    return [(p.stem, p, None)]


def read_stdin(id_: str = "stdin") -> Item:
    data = sys.stdin.buffer.read(MAX_BYTES)
    text, err, w = decode(data)
    if err:
        return Item(id_, error=f"<stdin>: {err}", source="<stdin>")
    return cap(Item(id_, text, None, w, "<stdin>"))


def iter_jsonl(path: str):
    """Items of a JSONL file of {"id": ..., "text": ...} lines; a bad line is an error item naming it."""
    name = "<stdin>" if path == "-" else path
    try:
        fh = sys.stdin.buffer if path == "-" else open(path, "rb")
    except OSError as exc:
        yield Item(Path(path).stem, error=f"{name}: cannot read: {exc.strerror or exc}", source=name)
        return
    with fh:
        for n, raw in enumerate(fh, 1):
            item = jsonl_item(raw, f"{name}:{n}")
            if item is not None:
                yield item


def jsonl_item(raw: bytes | str, where: str) -> Item | None:
    """The item of one JSONL line ({"id": ..., "text": ...}); None for a blank line."""
    if not raw.strip():
        return None
    try:
        obj = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except UnicodeDecodeError as exc:
        return Item(where, error=f"{where}: invalid UTF-8 at byte {exc.start}", source=where)
    except json.JSONDecodeError as exc:
        return Item(where, error=f"{where}: invalid JSON: {exc.msg} (column {exc.colno})", source=where)
    if not isinstance(obj, dict):
        return Item(where, error=f"{where}: expected an object with \"id\" and \"text\"", source=where)
    iid = obj.get("id")
    if isinstance(iid, (int, str)) and not isinstance(iid, bool):
        iid = str(iid)
    else:
        return Item(where, error=f"{where}: \"id\" must be a string or an integer", source=where)
    text = obj.get("text")
    if not isinstance(text, str):
        return Item(iid, error=f"{where}: \"text\" must be a string", source=where)
    return cap(Item(iid, text, None, [], where))


def iter_inputs(paths: list[str], input_format: str = "auto", id_: str | None = None):
    """Items for the CLI's PATH arguments, in order."""
    for path in paths:
        if input_format == "jsonl" or (input_format == "auto" and path.endswith(".jsonl")):
            yield from iter_jsonl(path)
            continue
        for iid, p, err in expand(path):
            if err:
                yield Item(iid, error=err, source=str(p))
            elif p is None:
                yield read_stdin(id_ or "stdin")
            else:
                yield read_path(p, id_ or iid)
