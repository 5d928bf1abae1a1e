"""The keyword pass splits a document: segments of scopes few rules look at
(link URLs, code) go through a small automaton of the keys asked for there.
The evidence must be what one pass of the full automaton finds, in order."""
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import write_pack
from engine.document.markdown import parse

PROSE_WORDS = [f"word{i}" for i in range(60)] + ["server", "git", "http", "queue"]


@pytest.fixture(scope="module")
def split_tagger(tmp_path_factory):
    from engine.tagging.tagger import Tagger

    pack = write_pack(tmp_path_factory.mktemp("pack"), {"a.yml": f"""
tag: api
rules:
  - id: api/prose
    scopes: [title, lede, heading, prose, list, table]
    keywords: {json.dumps(PROSE_WORDS)}
  - id: api/urls
    scopes: [link, badge, prose]
    keywords: [github, http, server]
  - id: api/code
    scopes: [code, inline_code]
    keywords: [make install]
    patterns: ['\\bgit clone\\b', '\\bserver\\s+start\\b']
"""})
    return Tagger.from_paths([pack], builtin=False)


LINES = ["# git server", "A queue server over http, see [docs](https://github.com/x/server).",
         "- word1 and `make install` word2", "```sh", "git clone http://x/server", "server start", "```",
         "[![ci](https://img.shields.io/badge/ci-git)](https://github.com/ci)", "", "word59 <https://http.dev/git>",
         "| server | [git](http://git.io) |", "|--|--|", "| queue | `server  start` |"]


def test_link_and_code_scopes_are_rare(split_tagger):
    m = split_tagger.matcher
    assert m.automaton is not None
    assert {"link", "code", "inline_code"} <= m._rare and "prose" not in m._rare
    assert m._small is not None and len(m._small) < len(m.automaton)


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(st.sampled_from(LINES), max_size=20))
def test_split_pass_equals_one_full_pass(split_tagger, lines):
    m = split_tagger.matcher
    doc = parse("\n".join(lines))
    got = m.match(doc)
    rare, m._rare = m._rare, frozenset()
    try:
        whole = m.match(doc)  # no rare scopes: one pass of the full automaton
    finally:
        m._rare = rare
    assert got == whole


def test_evidence_found_in_rare_scopes(split_tagger):
    m = split_tagger.matcher
    doc = parse("\n".join(LINES))
    scopes = {(doc.segments[h.segment].scope, h.term) for h in m.match(doc)}
    assert ("link", "github") in scopes and ("inline_code", "make install") in scopes
    assert ("code", r"\bgit clone\b") in scopes and ("inline_code", r"\bserver\s+start\b") in scopes
