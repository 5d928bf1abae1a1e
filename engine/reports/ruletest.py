"""`repotag rules test`: the examples rule files carry, run against the packs
in use, with failures that say what to change (file and example line, the
tags expected and got, and the evidence behind each disputed tag)."""
from __future__ import annotations

from dataclasses import dataclass

from ..packs.model import Example
from ..tagging.scoring import Evidence
from ..tagging.tagger import Tagger, TagResult

TOP_EVIDENCE = 3


@dataclass
class ExampleResult:
    example: Example
    result: TagResult
    missing: tuple  # expected tags not assigned
    unwanted: tuple  # forbidden tags assigned

    @property
    def ok(self) -> bool:
        return not self.missing and not self.unwanted


def run_examples(tagger: Tagger, examples) -> list[ExampleResult]:
    out = []
    for ex in examples:
        res = tagger.tag(ex.text)
        missing = tuple(t for t in ex.tags if t not in res.tags)
        unwanted = tuple(t for t in ex.not_tags if t in res.tags)
        out.append(ExampleResult(ex, res, missing, unwanted))
    return out


def _evidence_line(e: Evidence, show) -> str:
    where = f"{e.scope} line {e.line}" + (f" in {e.section!r}" if e.section else "")
    note = f", cancelled by {e.cancelled_by}" if e.cancelled_by else ""
    return f"      {e.contribution:+.2f}  {e.rule_id} {e.kind} {e.term!r} matched {e.matched!r} ({where}{note}) [{show(e.rule_loc)}]"


def describe(r: ExampleResult, tagger: Tagger, show=str) -> str:
    """A failure as text: `file:line:col: example failed: ...` then per
    disputed tag its score, why it was (not) chosen and its top evidence."""
    tags = tagger.tags

    def names(ids) -> str:
        return "[" + ", ".join(tags.by_id[i].name.strip() for i in ids) + "]"

    ex = r.example
    lines = [f"{show(ex.loc)}: example failed: expected {names(ex.tags)}, must not {names(ex.not_tags)}, "
             f"got {names(r.result.tags)}"]
    ranking = {s.tag: s for s in r.result.ranking}
    for label, ids in (("missing", r.missing), ("unwanted", r.unwanted)):
        for t in ids:
            s = ranking.get(t)
            status = f"score {s.score:.2f}, {s.status}" + (f": {s.reason}" if s.reason else "") if s else "no evidence at all"
            lines.append(f"    {label} {tags.by_id[t].name.strip()}: {status}")
            ev = sorted((e for e in r.result.evidence if e.tag == t),
                        key=lambda e: (-abs(e.contribution), e.line, e.rule_id, e.term))
            lines += [_evidence_line(e, show) for e in ev[:TOP_EVIDENCE]]
    if r.missing and r.result.tags:
        # What won instead is often the thing to fix.
        top = r.result.tags[0]
        if top not in r.unwanted:
            ev = sorted((e for e in r.result.evidence if e.tag == top), key=lambda e: (-abs(e.contribution), e.line))
            lines.append(f"    chosen instead {tags.by_id[top].name.strip()}: score {r.result.scores[top]:.2f}")
            lines += [_evidence_line(e, show) for e in ev[:TOP_EVIDENCE]]
    return "\n".join(lines)
