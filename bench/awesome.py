"""Awesome-lists benchmark: tag one-line project descriptions from curated lists and score them against
the tags their list category maps to (bench/awesome-map.yml).

    python bench/awesome.py [--lists DIR] [--map FILE] [--rules DIR] [--json OUT] [--against OLD.json]
    python bench/awesome.py --categories          # every category path with its entry count and mapping

Each entry becomes a tiny README `# <name>\\n\\n<description>\\n`, tagged in-process with the Tagger.
success@k: one of our first k tags is among the category's mapped tags; per tag: recall of the mapped tag
among our (at most 3) tags; untagged: share of entries with no tag. Entries filed under a `skip`
category are excluded (and counted). A proxy for the peer set labelled by awesome-list categories.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, add_rule_options, make_tagger  # noqa: E402

DEFAULT_LISTS = Path("/work/shared/data/awesome")
DEFAULT_MAP = ROOT / "bench" / "awesome-map.yml"
SEP = " > "

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SUMMARY = re.compile(r"<summary>\s*(?:<strong>)?(.*?)(?:</strong>)?\s*(?:<kbd>.*?</kbd>)?\s*</summary>")
# `- [name](url) - description` (also `*`/`+`, ` — `, `: ` or no separator; indented sub-items too)
_LIST_ENTRY = re.compile(r"^\s*[-*+]\s+(?:\*\*)?\[(?P<name>[^\]]+)\]\((?P<url>[^)\s]+)[^)]*\)(?:\*\*)?(?P<rest>.*)$")
# awesome-java: `> **[name](url)** <kbd>…</kbd> …<br>description`
_QUOTE_ENTRY = re.compile(r"^>\s*\*\*\[(?P<name>[^\]]+)\]\((?P<url>[^)\s]+)\)\*\*(?P<rest>.*)$")


class MapError(Exception):
    pass


@dataclass
class Entry:
    list: str
    line: int
    path: tuple[str, ...]
    name: str
    url: str
    description: str

    @property
    def category(self) -> str:
        return SEP.join(self.path)

    @property
    def key(self) -> str:
        return f"{self.list}:{self.line}"

    def readme(self) -> str:
        return f"# {self.name}\n\n{self.description}\n"


def _clean_heading(text: str) -> str:
    text = re.sub(r"<kbd>.*?</kbd>", "", text)
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)            # badges
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)       # links keep their text
    return re.sub(r"\s+", " ", text.replace("*", "").replace("`", "")).strip()


def _clean_description(rest: str) -> str:
    if "<br>" in rest:
        rest = rest.split("<br>", 1)[1]
    rest = re.sub(r"<kbd>.*?</kbd>", "", rest)
    rest = re.sub(r"<[^>]+>", "", rest)
    rest = re.sub(r"(?<!\w):[a-z0-9_+-]+:", "", rest)          # :zap: style emoji shortcodes
    rest = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", rest)          # badges
    rest = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", rest)     # links keep their text
    # List metadata, not the project's words: awesome-sysadmin's "(Source Code, Demo) `Apache-2.0` `Go`"
    # and awesome-cpp's "[MIT] website" licence tags would otherwise read as vocabulary.
    rest = re.sub(r"\s*\([^()]*\bSource Code\b[^()]*\)(?:\s*`[^`]*`)*\s*$", "", rest)
    rest = re.sub(r"\s*\[(?:MIT|BSD[\w.-]*|GPL[\w.+-]*|LGPL[\w.+-]*|AGPL[\w.+-]*|Apache[\w.-]*|Boost|zlib|MPL[\w.-]*|"
                  r"Public Domain|Unlicense|ISC|CC0[\w.-]*|EPL[\w.-]*|Proprietary|Custom|[\w.+-]*[Ll]icen[cs]e[\w.+-]*)"
                  r"(?:[/,]\s*[\w. +-]+)*\](?:\s*website)?\s*$", "", rest)
    rest = rest.strip()
    rest = re.sub(r"^(?:-|–|—|:)\s*", "", rest)
    return rest.strip()


def parse_list(path: Path) -> list[Entry]:
    """Entries of one awesome list with their heading path (the first H1, the list's title, is not part of the path).
    Markdown headings and awesome-java's `<summary><strong>…` sections both open categories; a
    summary sits one level below the last markdown heading before it."""
    entries: list[Entry] = []
    stack: list[tuple[int, str]] = []          # (level, heading)
    in_code = False
    seen_title = False
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.rstrip()
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            continue
        if "</details>" in line:               # a <summary> section closes with its sub-headings
            while any(lv % 1 for lv, _ in stack):
                stack.pop()
            continue
        m = _MD_HEADING.match(line)
        level = None
        if m:
            level, title = len(m.group(1)), _clean_heading(m.group(2))
        else:
            s = _SUMMARY.search(line)
            if s:
                level, title = (stack[-1][0] if stack else 1) + 0.5, _clean_heading(s.group(1))
        if level is not None:
            if level == 1 and not seen_title:     # the list's own title is no category
                seen_title = True
                stack = []
                continue
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
            continue
        m = _QUOTE_ENTRY.match(line) or _LIST_ENTRY.match(line)
        if not m or m.group("url").startswith("#"):
            continue
        name, desc = _clean_heading(m.group("name")), _clean_description(m.group("rest"))
        if not desc and " - " in name:                   # awesome-wasm: `[name - description](url)`
            name, desc = (x.strip() for x in name.split(" - ", 1))
        entries.append(Entry(path.name, lineno, tuple(h for _, h in stack), name, m.group("url"), desc))
    return entries


def load_map(path: Path, tag_names: set[str]) -> dict[str, dict[str, list[str] | None]]:
    """{list file: {category path: [tag names] or None (skip)}}; unknown tag names are an error."""
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, dict[str, list[str] | None]] = {}
    bad = []
    for fname, cats in raw.items():
        out[fname] = {}
        for cat, tags in (cats or {}).items():
            if tags in ("skip", None) or tags == []:
                out[fname][str(cat)] = None
                continue
            if isinstance(tags, str):
                tags = [tags]
            for t in tags:
                if t not in tag_names:
                    bad.append(f"{path}: {fname}: {cat!r}: unknown tag {t!r}")
            out[fname][str(cat)] = list(tags)
    if bad:
        raise MapError("\n".join(bad))
    return out


def resolve(entry: Entry, cmap: dict[str, dict[str, list[str] | None]]) -> tuple[str, list[str] | None]:
    """(mapped category, tags or None for skip): the most specific mapped heading of the entry's path."""
    cats = cmap.get(entry.list, {})
    for i in range(len(entry.path), 0, -1):
        key = SEP.join(entry.path[:i])
        if key in cats:
            return key, cats[key]
    raise MapError(f"{entry.list}:{entry.line}: category {entry.category!r} is not mapped")


def load_entries(lists_dir: Path, cmap, files=None) -> tuple[list[tuple[Entry, str, list[str]]], Counter]:
    """Mapped entries as (entry, mapped category, tags) and skipped counts per list; every unmapped
    category is reported at once (file and line of its first entry)."""
    mapped, skipped, errors = [], Counter(), {}
    for f in sorted(files or lists_dir.glob("*.md")):
        if f.name == "README.md":
            continue
        for e in parse_list(f):
            try:
                cat, tags = resolve(e, cmap)
            except MapError as exc:
                errors.setdefault((e.list, e.category), str(exc))
                continue
            if tags is None:
                skipped[e.list] += 1
            else:
                mapped.append((e, cat, tags))
    if errors:
        raise MapError("\n".join(errors.values()))
    return mapped, skipped


def evaluate(tagger, mapped) -> list[dict]:
    rows = []
    for e, cat, gold in mapped:
        r = tagger.tag(e.readme())
        names = [n.strip() for n in r.names]
        rows.append({"key": e.key, "list": e.list, "category": cat, "name": e.name,
                     "gold": gold, "tags": names,
                     "s1": bool(set(names[:1]) & set(gold)), "s3": bool(set(names[:3]) & set(gold))})
    return rows


def summarise(rows: list[dict]) -> dict:
    def block(rs):
        n = len(rs)
        return {"n": n, "s1": sum(r["s1"] for r in rs) / n if n else 0.0,
                "s3": sum(r["s3"] for r in rs) / n if n else 0.0,
                "untagged": sum(not r["tags"] for r in rs) / n if n else 0.0}

    per_list, per_cat, per_tag = defaultdict(list), defaultdict(list), defaultdict(lambda: [0, 0])
    for r in rows:
        per_list[r["list"]].append(r)
        per_cat[(r["list"], r["category"])].append(r)
        for t in r["gold"]:
            per_tag[t][0] += 1
            per_tag[t][1] += t in r["tags"]
    return {"overall": block(rows),
            "lists": {k: block(v) for k, v in sorted(per_list.items())},
            "categories": {f"{k[0]}: {k[1]}": block(v) for k, v in per_cat.items()},
            "tags": {t: {"n": n, "recall": h / n} for t, (n, h) in sorted(per_tag.items())}}


def report(s: dict, skipped: Counter, worst: int) -> None:
    o = s["overall"]
    print(f"awesome lists: {o['n']} entries scored, {sum(skipped.values())} in skipped categories")
    print(f"overall  success@1 {o['s1']:.3f}  success@3 {o['s3']:.3f}  untagged {o['untagged']:.3f}\n")
    print(f"{'list':<22}{'n':>6}{'skip':>6}{'s@1':>7}{'s@3':>7}{'untag':>7}")
    for k, b in s["lists"].items():
        print(f"{k:<22}{b['n']:>6}{skipped.get(k, 0):>6}{b['s1']:>7.3f}{b['s3']:>7.3f}{b['untagged']:>7.3f}")
    print(f"\n{'mapped tag':<20}{'n':>6}{'recall':>8}")
    for t, b in sorted(s["tags"].items(), key=lambda kv: (-kv[1]["n"], kv[0])):
        print(f"{t:<20}{b['n']:>6}{b['recall']:>8.3f}")
    cats = [(k, b) for k, b in s["categories"].items() if b["n"] >= 5]
    cats.sort(key=lambda kv: (kv[1]["s3"] - 1) * kv[1]["n"])
    print(f"\nworst {worst} categories (n >= 5, by entries missed at 3):")
    for k, b in cats[:worst]:
        print(f"  {b['n'] - round(b['s3'] * b['n']):>4} missed /{b['n']:>4}  s@3 {b['s3']:.3f}  {k}")


def compare(rows: list[dict], old_rows: list[dict], s: dict, limit: int) -> None:
    old = {r["key"]: r for r in old_rows}
    so = summarise([old[r["key"]] for r in rows if r["key"] in old])
    print(f"\nagainst old ({len(old)} entries, {sum(r['key'] in old for r in rows)} shared)")
    print(f"overall success@3 {so['overall']['s3']:.3f} -> {s['overall']['s3']:.3f}"
          f"  success@1 {so['overall']['s1']:.3f} -> {s['overall']['s1']:.3f}")
    for k, b in s["lists"].items():
        ob = so["lists"].get(k)
        if ob and abs(ob["s3"] - b["s3"]) > 1e-9:
            print(f"  list {k:<22} s@3 {ob['s3']:.3f} -> {b['s3']:.3f}")
    for t, b in s["tags"].items():
        ob = so["tags"].get(t)
        if ob and abs(ob["recall"] - b["recall"]) > 1e-9:
            print(f"  tag  {t:<22} recall {ob['recall']:.3f} -> {b['recall']:.3f} (n {b['n']})")
    fixed = [r for r in rows if r["key"] in old and r["s3"] and not old[r["key"]]["s3"]]
    broken = [r for r in rows if r["key"] in old and not r["s3"] and old[r["key"]]["s3"]]
    for label, rs in (("fixed", fixed), ("broken", broken)):
        print(f"\n{label}: {len(rs)}")
        for r in rs[:limit]:
            print(f"  {r['key']}  {r['name']}  [{r['category']}]  gold {r['gold']}"
                  f"  {old[r['key']]['tags']} -> {r['tags']}")


def export_gold(mapped, out: Path) -> int:
    """Gold lines {"id", "file", "tags"} for the mapped entries, the texts under
    out/entries/ (generated files outside the project: the lists' text is
    never copied into it)."""
    tags = {t["name"].strip(): t["id"] for t in json.loads((ROOT / "tags.json").read_text(encoding="utf-8"))}
    (out / "entries").mkdir(parents=True, exist_ok=True)
    lines, seen = [], set()
    for e, cat, gold in mapped:
        base = re.sub(r"[^\w.-]+", "_", f"{e.list[:-3]}__{e.name}")[:80] or "entry"
        name, k = base, 1
        while name in seen:
            k += 1
            name = f"{base}_{k}"
        seen.add(name)
        (out / "entries" / f"{name}.md").write_text(e.readme(), encoding="utf-8")
        lines.append(json.dumps({"id": name, "file": f"entries/{name}.md", "tags": [tags[t] for t in gold],
                                 "category": f"{e.list}: {cat}"}, ensure_ascii=False))
    (out / "gold.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{out / 'gold.jsonl'}: {len(lines)} entries")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lists", type=Path, default=DEFAULT_LISTS, help="folder of awesome-*.md lists")
    ap.add_argument("--map", type=Path, default=DEFAULT_MAP, help="category -> tags map (YAML)")
    ap.add_argument("--json", type=Path, metavar="OUT", help="write per-entry results")
    ap.add_argument("--against", type=Path, metavar="OLD.json", help="print deltas against an earlier --json")
    ap.add_argument("--worst", type=int, default=20, help="how many worst categories to print")
    ap.add_argument("--flips", type=int, default=50, help="how many fixed/broken entries to print")
    ap.add_argument("--categories", action="store_true", help="list category paths, counts and mappings")
    ap.add_argument("--export-gold", type=Path, metavar="DIR",
                    help="write the mapped entries as tiny READMEs and DIR/gold.jsonl (their mapped tags), "
                         "for `repotag rules suggest DIR/gold.jsonl`: a tag's vocabulary mined from hundreds of "
                         "one-line self-descriptions instead of a dozen labelled READMEs")
    add_rule_options(ap)
    args = ap.parse_args(argv)

    tag_names = {t["name"].strip() for t in json.loads((ROOT / "tags.json").read_text(encoding="utf-8"))}
    try:
        cmap = load_map(args.map, tag_names)
    except MapError as exc:
        sys.exit(f"awesome: {exc}")

    if args.categories:
        for f in sorted(args.lists.glob("*.md")):
            if f.name == "README.md":
                continue
            counts, first = Counter(), {}
            for e in parse_list(f):
                counts[e.category] += 1
                first.setdefault(e.category, e.line)
            for cat, n in counts.items():
                try:
                    _, tags = resolve(Entry(f.name, first[cat], tuple(cat.split(SEP)), "", "", ""), cmap)
                    shown = "skip" if tags is None else ",".join(tags)
                except MapError:
                    shown = "UNMAPPED"
                print(f"{f.name}\t{first[cat]}\t{n}\t{cat}\t{shown}")
        return 0

    try:
        mapped, skipped = load_entries(args.lists, cmap)
    except MapError as exc:
        sys.exit(f"awesome: unmapped categories:\n{exc}")
    if args.export_gold:
        return export_gold(mapped, args.export_gold)
    rows = evaluate(make_tagger(args), mapped)
    s = summarise(rows)
    report(s, skipped, args.worst)
    if args.json:
        args.json.write_text(json.dumps({"summary": s, "skipped": dict(skipped), "entries": rows},
                                        ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    if args.against:
        old = json.loads(args.against.read_text(encoding="utf-8"))
        compare(rows, old["entries"], s, args.flips)
    return 0


if __name__ == "__main__":
    sys.exit(main())
