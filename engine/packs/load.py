"""load_packs: rule packs from the rule cache, or read from YAML and cached."""
from __future__ import annotations

from pathlib import Path

from . import cache
from .model import PACK_FILE, RuleSet, builtin_dir, builtin_tags, rule_files
from .taglist import TagList


def load_packs(pack_dirs: list[Path], tags: TagList) -> RuleSet:
    """load_packs_uncached through the rule cache (see cache.py)."""
    pack_dirs = [Path(d) for d in pack_dirs]
    files = [builtin_tags()]
    for d in pack_dirs:
        if d.is_dir():
            files += [p for p in (d / "tags.json", d / PACK_FILE) if p.is_file()] + rule_files(d)
    extra = repr(([str(d.resolve()) for d in pack_dirs], str(builtin_dir()), tags.source,
                  [(t.id, t.name) for t in tags]))
    digest = cache.key(files, extra)
    cached = cache.load(digest)
    if isinstance(cached, RuleSet):
        cached.tags = tags
        return cached
    from .read import load_packs_uncached

    ruleset = load_packs_uncached(pack_dirs, tags)  # problems raise: only good loads are cached
    cache.store(digest, ruleset)
    return ruleset
