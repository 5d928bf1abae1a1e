"""Why a README got its tags: evidence per tag, near misses, and what a tag
that did not fire lacked, as JSON-ready data with text and HTML renderings.

JSON layout (schema 1; keys are stable, lists are in a deterministic order):

    {"schema": 1, "source": path, "tags": [chosen ids], "names": [...],
     "parser": "python"|"rust",        # which Markdown parser read the README
     "settings": {"min_score", "relative_min", "max_tags", "repeat_decay", "overlap_penalty"},
     "entries": [                       # chosen tags, then --tag requests, then near misses
       {"tag", "name", "role": "chosen"|"requested"|"near-miss",
        "status": chosen|below-threshold|cut-by-limit|overlap|below-relative|cancelled|no-evidence,
        "rank": position among scored tags (1-based) or null, "score", "adjusted", "reason",
        "evidence": [{"rule", "rule_loc", "term_loc", "kind", "term", "matched", "line", "column", "end_column",
                      "scope", "section", "weight", "scope_factor", "section_factor",
                      "decay", "contribution", "cancelled_by", "tuned"}],   # strongest first
                                        # weight includes tuned (1.0 unless `rules tune` fitted the rule)
        "lacked": null | {"threshold", "gap", "silent_rules": [{"rule", "rule_loc", "terms"}],
                          "discounted": n, "cancelled": n, "notes": [...]}}]}

`column`/`end_column` are 1-based, in characters of the README line; null
when markup splits the matched words so the span cannot be placed exactly.
"""
from __future__ import annotations

import re
from collections import defaultdict

from ..tagging.matching import normalize_text
from .render import Table, esc, loc_str, num, page

SCHEMA = 1
NEAR_MISSES = 3
_WORD = re.compile(r"\w+")
# In the raw line, link targets, tags and bare URLs are not the text a prose
# match came from: blanked (same length) so a term is not placed inside a URL.
_MARKUP = re.compile(r"\]\([^)\s]*\)|<[^>]*>|https?://\S+")
_TEXT_SCOPES = frozenset({"title", "lede", "heading", "prose", "list", "table", "image"})


def _blank(m: re.Match) -> str:
    return " " * len(m.group(0))


# ---------------------------------------------------------------- data

def locate(doc, ev, cache: dict) -> tuple[int, int | None, int | None]:
    """(line, column, end column) of a piece of evidence in the original README.

    Segments hold text with the markup removed, so the match is found again
    in the raw line: the k-th occurrence on that line when the segment had
    k-1 before it, else the first occurrence on a nearby line."""
    lines = cache.get("lines")
    if lines is None:
        lines = cache["lines"] = doc.lines
    seg = doc.segments[ev.segment]
    target = normalize_text(ev.matched).strip()
    if not target:
        return ev.line, None, None
    line_start = seg.text.rfind("\n", 0, ev.start) + 1
    k = normalize_text(seg.text[line_start:ev.start]).count(target)
    nl = seg.text.count("\n")
    span = [ev.line] + [ev.line + d for d in (1, -1, 2, 3)] + list(range(seg.line, seg.line + nl + 2))
    masks = (True, False) if seg.scope in _TEXT_SCOPES else (False,)
    # Exact match first, then (a README's prose may be reStructuredText whose
    # URLs are text) the raw line, then the first word alone.
    tries = [(target, m) for m in masks] + [((_WORD.findall(target) or [""])[0], m) for m in masks]
    for needle, masked in tries:
        if not needle:
            continue
        for ln in dict.fromkeys(span):
            if not 1 <= ln <= len(lines):
                continue
            key = (ln, masked)
            hay = cache.get(key)
            if hay is None:
                raw = lines[ln - 1]
                hay = cache[key] = normalize_text(_MARKUP.sub(_blank, raw) if key[1] else raw)
            idx, found = -1, []
            while True:
                idx = hay.find(needle, idx + 1)
                if idx < 0:
                    break
                found.append(idx)
            if found:
                at = found[k] if ln == ev.line and k < len(found) else found[0]
                return ln, at + 1, at + len(needle)
    return ev.line, None, None


def term_locs(rules) -> dict:
    """(rule id, kind, term as written) → where the term stands in its rule file."""
    out = {}
    for r in rules:
        for kind, terms in (("keyword", r.keywords), ("negative", r.negative), ("fuzzy", r.fuzzy)):
            for t in terms:
                out.setdefault((r.id, kind, t.text), t.loc)
        for kind, pats in (("pattern", r.patterns), ("negative", r.negative_patterns)):
            for p in pats:
                out.setdefault((r.id, kind, p.source), p.loc)
    return out


def evidence_json(doc, evidence: list, cache: dict, locs: dict) -> list[dict]:
    rows = []
    for e in evidence:
        line, col, end = locate(doc, e, cache)
        tloc = locs.get((e.rule_id, e.kind, e.term), e.rule_loc)
        rows.append({
            "rule": e.rule_id, "rule_loc": loc_str(e.rule_loc), "term_loc": loc_str(tloc),
            "kind": e.kind, "term": e.term,
            "matched": e.matched, "line": line, "column": col, "end_column": end,
            "scope": e.scope, "section": e.section, "weight": round(e.weight, 4),
            "scope_factor": round(e.scope_factor, 4), "section_factor": round(e.section_factor, 4),
            "decay": round(e.decay, 4), "contribution": round(e.contribution, 4),
            "cancelled_by": e.cancelled_by, "tuned": round(e.tuned, 4),
        })
    # Strongest first: what a curator should look at; cancelled last.
    rows.sort(key=lambda r: (r["cancelled_by"] is not None, -abs(r["contribution"]), r["line"],
                             r["column"] or 0, r["rule"], r["term"]))
    return rows


def _lacked(tagger, tag: int, ts, evidence: list, ranking: list, chosen: list[int], settings: dict) -> dict:
    top = ranking[0].score if ranking else 0.0
    threshold = max(settings["min_score"], settings["relative_min"] * top)
    adjusted = ts.adjusted if ts else 0.0
    notes = []
    if ts is not None and ts.status == "cut-by-limit" and chosen:
        weakest = min((r for r in ranking if r.tag in chosen), key=lambda r: r.adjusted)
        threshold = max(threshold, weakest.adjusted)
        notes.append(f"the weakest chosen tag scores {weakest.adjusted:.2f}; a fourth slot does not exist")
    fired = {e.rule_id for e in evidence}
    silent = [{"rule": r.id, "rule_loc": loc_str(r.loc),
               "terms": [t.text for t in r.keywords[:6]] + [p.source for p in r.patterns[:2]]}
              for r in tagger.rules if r.tag == tag and r.id not in fired]
    positive = [e for e in evidence if e.kind != "negative"]
    discounted = [e for e in positive if not e.cancelled_by and (e.section_factor < 1 or e.scope_factor < 1)]
    cancelled = [e for e in positive if e.cancelled_by]
    if not evidence:
        notes.append("no rule of this tag matched anything in the README")
    if discounted:
        where = sorted({f"{e.scope}" + (f" in '{e.section}'" if e.section_factor < 1 else "") for e in discounted})
        notes.append(f"{len(discounted)} match(es) counted less because of where they stand: {', '.join(where[:4])}")
    if cancelled:
        by = sorted({e.cancelled_by for e in cancelled})
        notes.append(f"{len(cancelled)} match(es) cancelled by negative rule(s) {', '.join(by)}")
    negatives = [e for e in evidence if e.kind == "negative" and e.contribution]
    if negatives:
        notes.append(f"negative evidence subtracts {-sum(e.contribution for e in negatives):.2f}")
    if ts is not None and ts.status == "overlap":
        notes.append("a near-synonym of its overlap group was chosen first")
    gap = max(0.0, threshold - adjusted)
    if gap:
        notes.append(f"needs {gap:.2f} more (adjusted score {adjusted:.2f}, needed {threshold:.2f})")
    return {"threshold": round(threshold, 4), "gap": round(gap, 4), "silent_rules": silent,
            "discounted": len(discounted), "cancelled": len(cancelled), "notes": notes}


def explain(tagger, text: str, source: str = "-", want: tuple[int, ...] = (), near: int = NEAR_MISSES):
    """The explanation as JSON-ready data, plus the TagResult behind it."""
    res = tagger.tag(text)
    settings = tagger.settings
    by_tag: dict[int, list] = defaultdict(list)
    for e in res.evidence:
        by_tag[e.tag].append(e)
    rank = {ts.tag: (i + 1, ts) for i, ts in enumerate(res.ranking)}
    order: list[tuple[int, str]] = [(t, "chosen") for t in res.tags]
    order += [(t, "requested") for t in want if t not in res.tags]
    misses = [ts.tag for ts in res.ranking if ts.status != "chosen" and ts.score > 0 and ts.tag not in want]
    order += [(t, "near-miss") for t in misses[:near]]
    cache: dict = {}
    locs = term_locs(tagger.rules)
    entries = []
    for tag, role in order:
        i, ts = rank.get(tag, (None, None))
        ev = by_tag.get(tag, [])
        entries.append({
            "tag": tag, "name": tagger.tags.by_id[tag].name.strip(), "role": role,
            "status": ts.status if ts else "no-evidence", "rank": i,
            "score": round(ts.score, 4) if ts else 0.0, "adjusted": round(ts.adjusted, 4) if ts else 0.0,
            "reason": ts.reason if ts else "no evidence",
            "evidence": evidence_json(res.document, ev, cache, locs),
            "lacked": None if role == "chosen" else _lacked(tagger, tag, ts, ev, res.ranking, res.tags, settings),
        })
    data = {
        "schema": SCHEMA, "source": source, "tags": list(res.tags), "names": list(res.names),
        "parser": tagger.parser,
        "settings": {k: settings[k] for k in ("min_score", "relative_min", "max_tags", "repeat_decay", "overlap_penalty")},
        "entries": entries,
    }
    return data, res


# ---------------------------------------------------------------- text

def _where(r: dict) -> str:
    return f"{r['line']}:{r['column']}" if r["column"] else f"{r['line']}"


def _weight_cell(r: dict) -> str:
    """A tuned rule shows the hand-written weight and the fitted factor ("1.5 × tuned 0.8")."""
    t = r.get("tuned", 1.0)
    if t == 1.0:
        return num(r["weight"])
    return f"{num(round(r['weight'] / t, 4))} × tuned {t:g}"


def evidence_table(entry: dict) -> Table:
    rows = []
    for r in entry["evidence"]:
        matched = " ".join(r["matched"].split())
        term = r["term"] if matched.lower() == r["term"].lower() else f"{r['term']} → {matched}"
        contrib = "cancelled by " + r["cancelled_by"] if r["cancelled_by"] else f"{r['contribution']:+.2f}"
        rows.append([r["rule"], r["term_loc"], ("NOT " if r["kind"] == "negative" else "") + term, _where(r),
                     r["scope"], r["section"] or "-", _weight_cell(r), num(r["scope_factor"]),
                     num(r["section_factor"]), num(r["decay"], 3), contrib])
    return Table("", ["rule", "term's file:line", "term", "README", "scope", "section", "weight",
                      "×scope", "×section", "decay", "contribution"], rows, frozenset(range(6, 11)),
                 empty="no evidence")


def _head(e: dict) -> str:
    head = f"{e['name']} (id {e['tag']}): {e['status']}, score {e['score']:.2f}"
    if e["adjusted"] != e["score"]:
        head += f" (adjusted {e['adjusted']:.2f})"
    if e["rank"]:
        head += f", rank {e['rank']}"
    return head


def text_blocks(data: dict) -> list:
    chosen = ", ".join(f"{n} ({t})" for n, t in zip(data["names"], data["tags"])) or "none"
    blocks: list = [f"{data['source']}: tags {chosen} (Markdown read by the {data['parser']} parser)"]
    titles = {"chosen": "chosen", "requested": "asked about", "near-miss": "near miss"}
    for e in data["entries"]:
        blocks.append("")
        blocks.append(f"[{titles[e['role']]}] {_head(e)}")
        if e["reason"] and e["status"] != "chosen":
            blocks.append(f"  why not: {e['reason']}")
        blocks.append(evidence_table(e))
        lacked = e["lacked"]
        if lacked:
            for n in lacked["notes"]:
                blocks.append(f"  - {n}")
            for s in lacked["silent_rules"][:5]:
                terms = ", ".join(s["terms"][:4])
                blocks.append(f"  - rule {s['rule']} ({s['rule_loc']}) did not fire" + (f": {terms}, ..." if terms else ""))
    return blocks


# ---------------------------------------------------------------- HTML

PALETTE = ("#ffd54f", "#81d4fa", "#a5d6a7", "#f48fb1", "#ce93d8", "#ffab91", "#80cbc4", "#e6ee9c", "#b0bec5", "#bcaaa4")

_EXPLAIN_CSS = """
.readme{border:1px solid #dde;border-radius:6px;padding:6px 0;max-height:none;overflow:auto;background:#fcfcfd}
.ln{display:flex;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px;white-space:pre-wrap;word-break:break-word}
.ln .no{flex:0 0 48px;text-align:right;padding-right:10px;color:#9aa0b0;user-select:none}
.hl{border-radius:3px;padding:0 1px;position:relative;cursor:help}
.hl.negative{text-decoration:line-through;text-decoration-color:#b3261e;outline:1px solid #b3261e}
.hl.cancelled{opacity:.55;outline:1px dashed #555}
.hl:hover::after{content:attr(data-tip);position:absolute;left:0;top:1.5em;z-index:5;white-space:pre;
 background:#1d2330;color:#fff;padding:4px 8px;border-radius:4px;font:12px/1.4 system-ui,sans-serif}
.legend label{display:inline-block;margin:0 10px 6px 0;padding:1px 8px;border-radius:10px;cursor:pointer}
.wrap>input{display:none}
"""


def _spans(data: dict) -> dict[int, list[tuple[int, int, list]]]:
    """Per README line, non-overlapping (start, end, [(entry index, evidence index, evidence)])."""
    per_line: dict[int, list] = defaultdict(list)
    for i, e in enumerate(data["entries"]):
        for j, r in enumerate(e["evidence"]):
            if r["column"]:
                per_line[r["line"]].append((r["column"] - 1, r["end_column"], i, j, r))
    out = {}
    for ln, items in per_line.items():
        items.sort(key=lambda x: (x[0], -x[1], x[2], x[3]))
        merged: list = []
        for a, b, i, j, r in items:
            if merged and a < merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
                merged[-1][2].append((i, j, r))
            else:
                merged.append([a, b, [(i, j, r)]])
        out[ln] = [(a, b, ev) for a, b, ev in merged]
    return out


def _tip(data: dict, ev: list) -> str:
    parts = []
    for i, _, r in ev:
        what = "cancelled" if r["cancelled_by"] else f"{r['contribution']:+.2f}"
        parts.append(f"{data['entries'][i]['name']}: {r['rule']} ({r['term']}) {what}")
    return "\n".join(dict.fromkeys(parts))


def highlight_css(data: dict) -> str:
    """Colours of each entry's highlights and legend, and the CSS-only toggles."""
    css = _EXPLAIN_CSS
    for i in range(len(data["entries"])):
        color = PALETTE[i % len(PALETTE)]
        css += (f".hl.e{i}{{background:{color}}}.legend label[for=t{i}]{{background:{color}}}"
                f"#t{i}:not(:checked)~.doc .hl.e{i}{{background:none;outline:none;text-decoration:none}}"
                f"#t{i}:not(:checked)~.legend label[for=t{i}]{{opacity:.35}}")
    return css


def readme_html(data: dict, text: str) -> str:
    """The README, every line numbered, terms highlighted per entry; each
    highlight carries its tooltip and, in data-ev, the `entry.evidence`
    indexes of what it shows (for pages that script a detail view)."""
    entries = data["entries"]
    spans = _spans(data)
    toggles = "".join(f'<input type="checkbox" id="t{i}" checked>' for i in range(len(entries)))
    legend = "".join(f'<label for="t{i}" title="show/hide">{esc(e["name"])} · {esc(e["role"])}</label>'
                     for i, e in enumerate(entries))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    rows = []
    for n, line in enumerate(lines, 1):
        parts, pos = [], 0
        for a, b, ev in spans.get(n, ()):
            kinds = {r["kind"] for _, _, r in ev}
            cls = f"hl e{ev[0][0]}" + (" negative" if kinds == {"negative"} else "") + \
                  (" cancelled" if all(r["cancelled_by"] for _, _, r in ev) else "")
            tip = esc(_tip(data, ev))
            refs = " ".join(f"{i}.{j}" for i, j, _ in ev)
            parts.append(esc(line[pos:a]))
            parts.append(f'<span class="{cls}" data-tip="{tip}" title="{tip}" data-ev="{refs}">'
                         f"{esc(line[a:b])}</span>")
            pos = b
        parts.append(esc(line[pos:]))
        rows.append(f'<div class="ln" id="L{n}"><span class="no">{n}</span><span>{"".join(parts) or " "}</span></div>')
    # The checkboxes precede legend and README as siblings: CSS alone
    # shows and hides a tag's highlights, so the page needs no script.
    return (f'<div class="wrap">{toggles}<div class="legend">{legend}</div>'
            f'<div class="doc readme">{"".join(rows)}</div></div>')


def scores_html(data: dict) -> str:
    from .render import html_table

    entries = data["entries"]
    score_rows = [[esc(e["name"]), str(e["tag"]), esc(e["role"]), esc(e["status"]), num(e["score"]),
                   num(e["adjusted"]), str(e["rank"] or "-"), esc(e["reason"] or "")] for e in entries]
    scores = Table("scores", ["tag", "id", "role", "status", "score", "adjusted", "rank", "reason"], score_rows,
                   frozenset({1, 4, 5, 6}))
    return html_table(scores, frozenset(range(8)))


def evidence_html(data: dict) -> str:
    """Per entry, its evidence table (README positions link to #L<line>) and what it lacked."""
    from .render import html_table

    detail = []
    for e in data["entries"]:
        t = evidence_table(e)
        t.title = _head(e)
        for row, r in zip(t.rows, e["evidence"]):
            row[3] = f'<a href="#L{r["line"]}">{esc(row[3])}</a>'
        raw = frozenset({3})
        t.rows = [[c if j in raw else esc(str(c)) for j, c in enumerate(row)] for row in t.rows]
        notes = "".join(f"<li>{esc(n)}</li>" for n in (e["lacked"] or {}).get("notes", []))
        silent = "".join(f"<li>rule <code>{esc(s['rule'])}</code> ({esc(s['rule_loc'])}) did not fire: "
                         f"{esc(', '.join(s['terms'][:6]))}</li>" for s in (e["lacked"] or {}).get("silent_rules", [])[:8])
        detail.append(f'<div id="tag-{e["tag"]}">' + html_table(t, frozenset(range(11)))
                      + (f"<ul>{notes}{silent}</ul>" if notes or silent else "") + "</div>")
    return "".join(detail)


def html_report(data: dict, text: str) -> str:
    chosen = ", ".join(f"{n} ({t})" for n, t in zip(data["names"], data["tags"])) or "none"
    body = (f"<h1>repotag explain</h1><p class=\"mono\">{esc(data['source'])}</p>"
            f"<p>Tags: <b>{esc(chosen)}</b> · min score {data['settings']['min_score']:g}, "
            f"max {data['settings']['max_tags']} tags · Markdown read by the {esc(data['parser'])} parser</p>"
            + scores_html(data)
            + "<h2>README</h2>" + readme_html(data, text)
            + "<h2>Evidence</h2>" + evidence_html(data))
    return page(f"repotag explain: {data['source']}", body, highlight_css(data))
