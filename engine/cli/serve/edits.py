"""Writing an edit back: the file as it was, byte for byte, except the lines
the edit changed.

A browser's text box hands back text with every line ending turned into
"\\n" and no byte-order mark, so the edited text is compared line by line
with the file: unchanged lines keep their own endings (CRLF, CR, a missing
final newline), new lines take the file's usual ending, and a BOM stays.
Comments and layout are the user's text, so they are kept by construction.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import re
import tempfile
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|$)")


class EncodingProblem(ValueError):
    pass


def version(data: bytes) -> str:
    """What the page sends back on Save, to detect a change on disk since it opened the file."""
    return hashlib.sha256(data).hexdigest()


def split_lines(text: str) -> list[tuple[str, str]]:
    """(content, ending) per line; the last line's ending may be ""."""
    out = []
    for m in _LINE.finditer(text):
        if m.group(1) == "" and m.group(2) == "" and m.start() == len(text):
            break
        out.append((m.group(1), m.group(2)))
    return out


def decode(data: bytes, name: str) -> str:
    """The text shown in the editor: UTF-8 without the BOM."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EncodingProblem(f"{name}: not UTF-8 (byte {exc.start}); rule files are UTF-8") from None


def merge_edit(original: bytes, edited: str) -> bytes:
    """The bytes to write for `edited`, given the file's bytes when it was opened."""
    bom = codecs.BOM_UTF8 if original.startswith(codecs.BOM_UTF8) else b""
    old = split_lines(decode(original, "file"))
    edited = edited[1:] if edited.startswith("\ufeff") else edited
    new = split_lines(edited)
    endings = Counter(e for _, e in old if e)
    usual = endings.most_common(1)[0][0] if endings else "\n"
    ends_with_newline = bool(new) and new[-1][1] != ""
    sm = SequenceMatcher(None, [c for c, _ in old], [c for c, _ in new], autojunk=False)
    lines: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            lines += old[i1:i2]
        elif op in ("replace", "insert"):
            lines += [(c, usual) for c, _ in new[j1:j2]]
    parts = []
    for n, (content, ending) in enumerate(lines):
        last = n == len(lines) - 1
        if last:
            ending = (ending or usual) if ends_with_newline else ""
        else:
            ending = ending or usual
        parts.append(content + ending)
    return bom + "".join(parts).encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    """Replace the file's contents in one step (a reader sees the old file or
    the new one), keeping its permission bits; a symlink's target is written."""
    target = Path(os.path.realpath(path))
    mode = target.stat().st_mode & 0o7777
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
