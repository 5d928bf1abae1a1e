"""`repotag tag --summary`: the counts that end a long run, on stderr.

Built from the records as they are written, so it costs nothing per input
and holds one counter per tag, however long the run.
"""
from __future__ import annotations

from collections import Counter


class Summary:
    def __init__(self):
        self.inputs = 0
        self.tagged = 0
        self.untagged = 0
        self.errors = 0
        self.warned = 0
        self.per_tag: Counter = Counter()

    def add(self, rec: dict) -> None:
        self.inputs += 1
        if "error" in rec:
            self.errors += 1
            return
        if rec.get("warnings"):
            self.warned += 1
        if rec["tags"]:
            self.tagged += 1
            self.per_tag.update(rec["tags"])
        else:
            self.untagged += 1

    def lines(self, tags, no_readme: int = 0) -> list[str]:
        """Plain lines: totals, then every tag used, most used first (ties by id)."""
        def pct(n: int) -> str:
            return f"{n / self.inputs:6.1%}" if self.inputs else "     -"

        rows = [("tagged", self.tagged), ("untagged", self.untagged), ("errors", self.errors)]
        w = max(len(str(self.inputs)), 1)
        out = [f"summary: {self.inputs} input{'s' * (self.inputs != 1)}"]
        out += [f"  {label:<9} {n:>{w}}  {pct(n)}" for label, n in rows]
        if self.warned:
            out.append(f"  {self.warned} tagged with warnings (see the records' \"warnings\")")
        if no_readme:
            out.append(f"  {no_readme} argument{'s' * (no_readme != 1)} named no README (see the warnings above)")
        if self.per_tag:
            ranked = sorted(self.per_tag.items(), key=lambda kv: (-kv[1], kv[0]))
            tw = max(len(str(n)) for _, n in ranked)
            iw = max(len(str(t)) for t, _ in ranked)
            out.append(f"per tag ({len(ranked)} tag{'s' * (len(ranked) != 1)} used, "
                       f"{sum(self.per_tag.values())} assignments):")
            for t, n in ranked:
                tag = tags.by_id.get(t)
                name = tag.name.strip() if tag else "?"
                out.append(f"  {n:>{tw}}  {t:>{iw}}  {name}")
        return out
