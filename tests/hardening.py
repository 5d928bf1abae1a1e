"""Shared pieces of the hardening tests: a small rule pack written at test
time, so exact assertions do not depend on the built-in rules."""
from pathlib import Path

import pytest

from conftest import run_cli, write_pack
from engine import Tagger

PACK = {
    "pack.yml": "min_score: 2.5\nrelative_min: 0.0\nmax_tags: 3\n",
    "tags/database.yml": """\
tag: database
rules:
  - id: database/kind
    keywords: [database, {term: sql engine, weight: 2}]
    patterns: ['\\bkey[- ]value stores?\\b']
    fuzzy: [{term: postgresql, threshold: 90}]
    negative: [{term: not a database, weight: 2}]
""",
    "tags/cache.yml": """\
tag: cache
rules:
  - id: cache/kind
    keywords: [cache, caching layer]
""",
    "tags/message-queue.yml": """\
tag: message-queue
rules:
  - id: message-queue/kind
    keywords: [message queue, {term: message broker, weight: 2}]
    patterns: ['\\bpub(lish)?[ /-]?sub(scribe)?\\b']
""",
    "extra/terminal.yml": """\
rules:
  - id: terminal/emulator
    tag: terminal
    keywords: [terminal emulator]
  - id: compiler/kind
    tag: compiler
    keywords: [compiler, {term: code generation, weight: 1.5}]
""",
}


def make_pack(dir: Path, files: dict | None = None) -> Path:
    return write_pack(dir, files or PACK)


def tag_cli(pack: Path, *args, input=None):
    """`repotag tag` with only `pack` loaded."""
    return run_cli("tag", "--no-builtin", "--rules", pack, *args, input=input)


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    return make_pack(tmp_path_factory.mktemp("pack"))


@pytest.fixture(scope="module")
def tagger(pack):
    return Tagger.from_paths([pack], builtin=False)
