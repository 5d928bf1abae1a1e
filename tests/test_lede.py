"""The defining sentence near the top is read with the lede's weight."""
import pytest

from engine.document.lede import defines
from engine.document.markdown import parse


def scopes(text):
    return [(s.scope, s.text) for s in parse(text).segments if s.scope in ("lede", "prose")]


def test_a_slogan_lede_and_a_later_definition():
    doc = parse("# structlog\n\nSimple. Powerful. Fast.\n\nstructlog is the production-ready logging "
                "solution for Python.\n\n## Usage\n\nstructlog is a thing.\n")
    ledes = [s.text for s in doc.segments if s.scope == "lede"]
    assert ledes == ["Simple. Powerful. Fast.", "structlog is the production-ready logging solution for Python."]
    assert doc.lede == "Simple. Powerful. Fast."  # the first description line stays the lede


def test_no_second_lede_when_the_lede_defines_already():
    doc = parse("# Jq\n\njq is a command-line JSON processor.\n\nJq is a nice program, too.\n")
    assert [s.scope for s in doc.segments if s.text.startswith("Jq is")] == ["prose"]


def test_without_title_a_definition_becomes_the_lede():
    doc = parse('<p align="center"><img src="logo.png"></p>\n\n'
                "Official builds are on the website.\n\nVidtool is a tool for converting video.\n")
    assert doc.lede == "Vidtool is a tool for converting video." or \
        "Vidtool is a tool for converting video." in [s.text for s in doc.segments if s.scope == "lede"]


def test_only_the_first_screen_counts():
    body = "\n\n".join(f"Paragraph {i} says little." for i in range(40))
    doc = parse(f"# Far\n\nA slogan.\n\n{body}\n\nFar is a database.\n")
    assert [s.scope for s in doc.segments if s.text == "Far is a database."] == ["prose"]


@pytest.mark.parametrize("sentence,names,expected", [
    ("HandBrake is a tool for converting video", {"handbrake"}, True),
    ("It is an open source system for containers", {"kube"}, True),
    ("Tailscale (pronounced tail-scale) is a modern VPN", set(), True),
    ("React is an excellent tool", {"bulletproof", "react"}, True),
    ("System design is a broad topic", {"primer"}, False),  # not the project's name
    ("Please see the docs for more", {"x"}, False),
    ("Halo 是一个强大的开源建站工具", {"halo"}, True),
    ("We are a foundation project", set(), False),  # "we" is no project name
])
def test_defines(sentence, names, expected):
    assert defines(sentence, names) is expected


def scope_of(doc, text):
    return [s.scope for s in doc.segments if s.text == text]


def test_a_centred_h3_is_the_title_and_its_paragraph_the_lede():
    doc = parse('<h3 align="center">Zapp</h3>\n<p align="center">A message broker for IoT devices.</p>\n\n## Usage\n')
    assert (doc.title, doc.lede) == ("Zapp", "A message broker for IoT devices.")
    later = parse("# Zapp\n\n## Notes\n\n<h3>Details</h3>\n")
    assert later.title == "Zapp" and scope_of(later, "Details") == ["heading"]


def test_a_notice_is_not_the_lede():
    doc = parse("# Zapp\n\n> **Note**: version 2 is out!\n\n📢 We moved to a new org!\n\nA message broker for IoT devices.\n")
    assert doc.lede == "A message broker for IoT devices."
    assert parse("# Zapp\n\nNotebook server for teams.\n").lede == "Notebook server for teams."  # 'note' as a word prefix
    assert parse("# Jot\n\nNote keeper for the terminal.\n").lede == "Note keeper for the terminal."  # a word, not a label
    assert parse("# Zapp\n\nWarning! Alpha software.\n\nA message broker.\n").lede == "A message broker."


def test_a_subtitle_under_the_title_is_lede_but_a_section_name_is_not():
    doc = parse("Zapp\n====\n\nA message broker\n----------------\n\nSome text here.\n")
    assert scope_of(doc, "A message broker") == ["lede"]
    doc = parse("Zapp\n====\n\nGetting started quickly\n-----------------------\n\nSome text here.\n")
    assert scope_of(doc, "Getting started quickly") == ["heading"]


def test_the_first_item_of_a_colon_list_after_a_short_lede():
    doc = parse("# Zapp\n\nZapp provides:\n\n- a message broker for IoT devices\n- a CLI to inspect queues\n")
    assert scope_of(doc, "a message broker for IoT devices") == ["lede"]
    assert scope_of(doc, "a CLI to inspect queues") == ["list"]
    long = parse("# Zapp\n\nZapp is a message broker for IoT devices with many features, among them these ones:\n\n- retained messages\n")
    assert scope_of(long, "retained messages") == ["list"]
