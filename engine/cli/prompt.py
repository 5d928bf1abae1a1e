"""Reading a seed-shaped LLM prompt: README, then
`Assign "at most N tags" to the expected json: {"id":...,"tags":[]} ... from the
tags list I provide: [...]`. The README, id, N and tag list all come from the
prompt itself."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from ..packs.taglist import TagList, TagListError


class PromptError(ValueError):
    pass


@dataclass
class Prompt:
    readme: str
    id: str
    max_tags: int
    tags: TagList


_ASSIGN = re.compile(r'Assign\s+"?\s*at\s+most\s+(\w+)\s+tags?\s*"?', re.I)
_EXPECTED = re.compile(r"expected\s+json\s*:?\s*", re.I)
_LIST = re.compile(r"tags?\s+list[^\[]*?:\s*(?=\[)", re.I)
_PREAMBLE = re.compile(r"\A(?:.{0,200}?\n)?\s*base(?:d)?\s+on\s+", re.I | re.S)
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


def parse_prompt(text: str) -> Prompt:
    m = None
    for m in _ASSIGN.finditer(text):
        pass  # the instruction follows the README; a README may itself say "assign"
    if m is None:
        raise PromptError('no instruction of the form Assign "at most N tags" found')
    word = m.group(1).lower()
    n = int(word) if word.isdigit() else _NUMBERS.get(word)
    if n is None:
        raise PromptError(f"cannot read the number of tags in {m.group(0)!r}")
    readme = text[:m.start()]
    pre = _PREAMBLE.match(readme)
    if pre:
        readme = readme[pre.end():]
    readme = re.sub(r'["\s,]+\Z', "", readme)
    rest = text[m.end():]
    dec = json.JSONDecoder()
    exp = _EXPECTED.search(rest)
    start = rest.find("{", exp.end() if exp else 0)
    if start < 0:
        raise PromptError('no expected JSON such as {"id":"6611","tags":[]} after the instruction')
    try:
        expected, _ = dec.raw_decode(rest, start)
    except json.JSONDecodeError as exc:
        raise PromptError(f"the expected JSON is not valid JSON: {exc.msg}") from None
    if not isinstance(expected, dict) or "id" not in expected:
        raise PromptError('the expected JSON has no "id"')
    lm = _LIST.search(rest)
    if lm is None:
        raise PromptError("no tag list (\"tags list I provide: [...]\") found")
    try:
        data, _ = dec.raw_decode(rest, lm.end())
    except json.JSONDecodeError as exc:
        raise PromptError(f"the tag list is not valid JSON: {exc.msg} at column {exc.colno}") from None
    try:
        tags = TagList.from_data(data, "prompt tag list")
    except TagListError as exc:
        raise PromptError(str(exc)) from None
    if not len(tags):
        raise PromptError("the tag list is empty")
    if n < 1 or n > len(tags):
        raise PromptError(f"at most {n} tags is out of range for a list of {len(tags)} tags")
    return Prompt(readme=readme, id=str(expected["id"]), max_tags=n, tags=tags)
