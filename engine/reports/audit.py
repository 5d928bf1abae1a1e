"""Audit a corpus: what the rules do over many READMEs.

Tag distribution and untagged share; rules that never fire or fire almost
everywhere; keywords two tags claim; near-duplicate keywords; and, against
gold labels, the figures of `repotag eval` plus confusions and blame (which
rules put the wrong tags in). Metrics come from engine.evaluate only.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from itertools import chain
from pathlib import Path

from .corpus import Run, tag_corpus
from .evaluate import confusions, figures, gold_items, load_gold, per_tag_table, summary_lines, tag_name
from .render import Table, esc, html_table, loc_str, num, page
from ..packs.model import norm_term

NOISY_SHARE = 0.3
NEAR_DUP_SCORE = 90.0
SHOW_DOCS = 5  # example document ids kept per blamed rule


def rule_terms(rules) -> list[tuple[str, str, object]]:
    """(normalised keyword, rule, term) for every positive keyword and fuzzy term."""
    out = []
    for r in rules:
        for t in list(r.keywords) + list(r.fuzzy):
            key = norm_term(t.text)
            if key:
                out.append((key, r, t))
    return out


def keyword_clashes(rules, tags) -> list[dict]:
    """Keywords that rules of two or more tags list: one README word, two tags."""
    claims: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for key, r, t in rule_terms(rules):
        claims[key][r.tag].append((r, t))
    out = []
    for key in sorted(claims):
        by_tag = claims[key]
        if len(by_tag) < 2:
            continue
        out.append({"keyword": key, "claims": [
            {"tag": tag, "name": tag_name(tags, tag), "rule": r.id, "loc": loc_str(t.loc), "weight": t.weight}
            for tag in sorted(by_tag) for r, t in by_tag[tag]]})
    return out


def near_duplicates(rules, tags, cutoff: float = NEAR_DUP_SCORE) -> list[dict]:
    """Distinct keywords whose rapidfuzz ratio reaches cutoff: a plural that
    could be one entry, a typo, or two tags fighting over one idea."""
    from rapidfuzz import fuzz, process

    first: dict[str, tuple] = {}
    owners: dict[str, set] = defaultdict(set)
    for key, r, t in rule_terms(rules):
        first.setdefault(key, (r, t))
        owners[key].add(r.tag)
    keys = sorted(first)
    out = []
    for i, a in enumerate(keys):
        for b, score, _ in process.extract(a, keys[i + 1:], scorer=fuzz.ratio, score_cutoff=cutoff, limit=None):
            (ra, ta), (rb, tb) = first[a], first[b]
            out.append({
                "a": {"term": a, "rule": ra.id, "tag": tag_name(tags, ra.tag), "loc": loc_str(ta.loc)},
                "b": {"term": b, "rule": rb.id, "tag": tag_name(tags, rb.tag), "loc": loc_str(tb.loc)},
                "similarity": round(score, 1), "across_tags": owners[a] != owners[b] or len(owners[a]) > 1,
            })
    out.sort(key=lambda d: (-d["similarity"], d["a"]["term"], d["b"]["term"]))
    return out


def audit(tagger, paths: list[str], gold_path=None, input_format: str = "auto",
          noisy_share: float = NOISY_SHARE, near_dup: float = NEAR_DUP_SCORE, on_error=None,
          recursive: bool = True, id_from: str = "auto") -> dict:
    """The audit of the inputs PATHs name: walked and named as `repotag tag`
    does, so its ids are the ids of `tag` (and of a gold file made from them)."""
    from ..inputs.sources import plan as plan_inputs

    tags = tagger.tags
    docs = load_gold(gold_path, tags) if gold_path else []
    gold = {d.id: list(d.tags) for d in docs} if gold_path else None
    rules = {r.id: r for r in tagger.rules}
    run = Run()
    dist: Counter = Counter()
    fired: Counter = Counter()  # rule → documents where its positive evidence counted
    matched: Counter = Counter()  # rule → documents where it matched at all (negatives too)
    fired_chosen: Counter = Counter()  # ... and its tag was chosen
    pred: dict[str, list[int]] = {}
    untagged = 0
    blame: dict[str, dict] = {}
    fn_docs: list[dict] = []
    seen_ids: set = set()
    dup_ids = 0
    # The gold file itself as a PATH means its own READMEs (its lines name
    # files, as for eval), so `audit GOLD --gold GOLD` audits a labelled corpus.
    own = [p for p in paths if gold_path and Path(p).resolve() == Path(gold_path).resolve()]
    plan = plan_inputs([p for p in paths if p not in own], input_format, None, recursive, id_from) \
        if len(own) < len(paths) else None
    for m in (plan.warnings + plan.empty) if plan else []:
        if on_error:
            on_error(f"warning: {m}")
    empty_before = len(plan.empty) if plan else 0
    items = chain(gold_items(gold_path, docs) if own else (), plan.items() if plan else ())
    total = None if plan and plan.total is None else (len(docs) if own else 0) + (plan.total if plan else 0)
    for t in tag_corpus(tagger, items, run, total, "audit"):
        if t.result is None:
            if on_error:
                on_error(t.error)
            continue
        res, iid = t.result, t.item.id
        if iid in seen_ids:
            dup_ids += 1
        seen_ids.add(iid)
        pred[iid] = list(res.tags)
        dist.update(res.tags)
        untagged += not res.tags
        matched.update({e.rule_id for e in res.evidence})
        doc_rules = {e.rule_id for e in res.evidence if e.kind != "negative" and not e.cancelled_by}
        for rid in doc_rules:
            fired[rid] += 1
            if rules[rid].tag in res.tags:
                fired_chosen[rid] += 1
        if gold is None or iid not in gold:
            continue
        g = gold[iid]
        for x in res.tags:
            if x in g:
                continue
            per_rule: dict[str, float] = defaultdict(float)
            for e in res.evidence:
                if e.tag == x and e.contribution > 0:
                    per_rule[e.rule_id] += e.contribution
            for rid, c in per_rule.items():
                b = blame.setdefault(rid, {"rule": rid, "loc": loc_str(rules[rid].loc), "tag": x,
                                           "name": tag_name(tags, x), "false_positives": 0,
                                           "contribution": 0.0, "docs": []})
                b["false_positives"] += 1
                b["contribution"] += c
                if len(b["docs"]) < SHOW_DOCS:
                    b["docs"].append(iid)
        scored = {ts.tag: ts for ts in res.ranking}
        for y in g:
            if y in res.tags:
                continue
            ev_rules = sorted({e.rule_id for e in res.evidence if e.tag == y and e.kind != "negative"
                               and not e.cancelled_by})
            ts = scored.get(y)
            fn_docs.append({"id": iid, "tag": y, "name": tag_name(tags, y), "fired": bool(ev_rules),
                            "rules": ev_rules, "score": round(ts.score, 4) if ts else 0.0,
                            "status": ts.status if ts else "no-evidence"})
    for m in (plan.empty[empty_before:] if plan else []):  # JSONL files found empty while reading
        if on_error:
            on_error(f"warning: {m}")
    ok = run.docs - run.failed
    share = lambda n: round(n / ok, 4) if ok else 0.0  # noqa: E731
    out: dict = {
        "docs": run.docs, "failed": run.failed, "tagged": ok - untagged, "untagged": untagged,
        "untagged_share": share(untagged),
        "assignments": sum(dist.values()),
        "distribution": [{"tag": t, "name": tag_name(tags, t), "docs": n, "share": share(n)}
                         for t, n in sorted(dist.items(), key=lambda kv: (-kv[1], kv[0]))],
        "rules": {
            "total": len(rules), "noisy_share": noisy_share,
            "never_fired": [{"rule": r.id, "loc": loc_str(r.loc), "tag": r.tag, "name": tag_name(tags, r.tag)}
                            for r in tagger.rules if matched[r.id] == 0],
            "noisy": [{"rule": rid, "loc": loc_str(rules[rid].loc), "tag": rules[rid].tag,
                       "name": tag_name(tags, rules[rid].tag), "docs": n, "share": share(n),
                       "tag_chosen": fired_chosen[rid]}
                      for rid, n in sorted(fired.items(), key=lambda kv: (-kv[1], kv[0]))
                      if ok and n / ok >= noisy_share],
        },
        "keyword_clashes": keyword_clashes(tagger.rules, tags),
        "near_duplicates": near_duplicates(tagger.rules, tags, near_dup),
        "timing": {"seconds": round(run.seconds, 3), "docs_per_second": round(run.docs_per_second, 1)},
    }
    if dup_ids:
        out["duplicate_ids"] = dup_ids
    if plan and plan.empty:
        out["no_readme"] = list(plan.empty)  # arguments that named no README: exit status 1
    if gold is not None:
        fig = figures(pred, gold)
        fn_by_tag: dict[int, list] = defaultdict(list)
        for d in fn_docs:
            fn_by_tag[d["tag"]].append(d)
        out["gold"] = {
            "file": str(gold_path), "docs": len(gold), "matched": sum(1 for i in gold if i in pred),
            "figures": fig.to_json(tags),
            "confusions": [{"predicted": x, "predicted_name": tag_name(tags, x), "gold": y,
                            "gold_name": tag_name(tags, y), "count": n} for x, y, n in confusions(pred, gold)],
            "false_negatives": {
                "total": len(fn_docs), "no_rule_fired": sum(not d["fired"] for d in fn_docs),
                "by_tag": [{"tag": y, "name": tag_name(tags, y), "fn": len(ds),
                            "no_rule_fired": sum(not d["fired"] for d in ds)}
                           for y, ds in sorted(fn_by_tag.items(), key=lambda kv: (-len(kv[1]), kv[0]))],
                "docs": fn_docs,
            },
        }
        for b in blame.values():
            b["contribution"] = round(b["contribution"], 4)
        out["blame"] = sorted(blame.values(), key=lambda b: (-b["contribution"], b["rule"]))
        out["_figures"] = fig  # for the renderers; dropped before JSON
    return out


# ---------------------------------------------------------------- rendering

def _tables(data: dict, tags, limit: int | None = 20) -> list:
    cut = (lambda xs: xs[:limit]) if limit else (lambda xs: xs)  # noqa: E731
    blocks: list = [
        f"docs {data['docs']}  failed {data['failed']}  tagged {data['tagged']}  "
        f"untagged {data['untagged']} ({data['untagged_share']:.1%})  tag assignments {data['assignments']}",
        f"tagging speed {data['timing']['docs_per_second']:.1f} docs/s ({data['timing']['seconds']:.2f} s)",
    ]
    blocks.append(Table("tag distribution", ["tag", "id", "docs", "share"],
                        [[d["name"], str(d["tag"]), str(d["docs"]), f"{d['share']:.1%}"] for d in data["distribution"]],
                        frozenset({1, 2, 3})))
    r = data["rules"]
    blocks.append(Table(f"rules that never fired ({len(r['never_fired'])} of {r['total']})", ["rule", "tag", "where"],
                        [[x["rule"], x["name"], x["loc"]] for x in cut(r["never_fired"])]))
    blocks.append(Table(f"noisy rules (fire on ≥ {r['noisy_share']:.0%} of documents)",
                        ["rule", "tag", "docs", "share", "tag chosen", "where"],
                        [[x["rule"], x["name"], str(x["docs"]), f"{x['share']:.1%}", str(x["tag_chosen"]), x["loc"]]
                         for x in r["noisy"]], frozenset({2, 3, 4})))
    blocks.append(Table(f"keywords claimed by two tags ({len(data['keyword_clashes'])})", ["keyword", "claimed by"],
                        [[c["keyword"], "; ".join(f"{x['name']} ({x['rule']}, {x['loc']})" for x in c["claims"])]
                         for c in cut(data["keyword_clashes"])]))
    blocks.append(Table(f"near-duplicate keywords ({len(data['near_duplicates'])})",
                        ["keyword", "keyword", "similarity", "where"],
                        [[f"{d['a']['term']} ({d['a']['tag']})", f"{d['b']['term']} ({d['b']['tag']})",
                          f"{d['similarity']:.0f}", f"{d['a']['loc']} / {d['b']['loc']}"]
                         for d in cut(data["near_duplicates"])], frozenset({2})))
    if "gold" in data:
        g = data["gold"]
        fig = data["_figures"]
        blocks.append(f"against {g['file']} ({g['matched']} of {g['docs']} gold documents audited)")
        blocks += summary_lines(fig, data["failed"])
        blocks.append(per_tag_table(fig, tags))
        blocks.append(Table("most frequent confusions", ["predicted", "gold was", "count"],
                            [[c["predicted_name"], c["gold_name"], str(c["count"])] for c in cut(g["confusions"])],
                            frozenset({2})))
        blocks.append(Table("blame: rules behind false positives, worst first",
                            ["rule", "tag", "false positives", "contribution", "examples", "where"],
                            [[b["rule"], b["name"], str(b["false_positives"]), num(b["contribution"]),
                              ", ".join(b["docs"]), b["loc"]] for b in cut(data["blame"])], frozenset({2, 3})))
        fn = g["false_negatives"]
        blocks.append(Table(f"false negatives: {fn['total']}, of which {fn['no_rule_fired']} with no rule of the "
                            "gold tag firing", ["gold tag", "missed", "no rule fired"],
                            [[x["name"], str(x["fn"]), str(x["no_rule_fired"])] for x in cut(fn["by_tag"])],
                            frozenset({1, 2})))
    return blocks


def text_blocks(data: dict, tags) -> list:
    return _tables(data, tags)


def json_data(data: dict) -> dict:
    return {k: v for k, v in data.items() if not k.startswith("_")}


def _chart(dist: list[dict], width: int = 560) -> str:
    """The tag distribution as an inline SVG bar chart."""
    if not dist:
        return '<p class="muted">no tags assigned</p>'
    bar_h, label_w = 18, 150
    top = max(d["docs"] for d in dist)
    h = bar_h * len(dist) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + width + 60}" height="{h}" '
             f'role="img" aria-label="tag distribution">']
    for i, d in enumerate(dist):
        y = 4 + i * bar_h
        w = max(1, round(width * d["docs"] / top))
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" font-size="12">{esc(d["name"])}</text>'
                     f'<rect x="{label_w}" y="{y + 2}" width="{w}" height="{bar_h - 5}" fill="#5b8def">'
                     f'<title>{esc(d["name"])}: {d["docs"]} docs ({d["share"]:.1%})</title></rect>'
                     f'<text x="{label_w + w + 4}" y="{y + 13}" font-size="11" fill="#444">{d["docs"]}</text>')
    parts.append("</svg>")
    return "".join(parts)


def html_report(data: dict, tags) -> str:
    cards = [("documents", data["docs"]), ("untagged", f"{data['untagged_share']:.1%}"),
             ("docs/s", f"{data['timing']['docs_per_second']:.1f}"), ("failed", data["failed"])]
    if "gold" in data:
        f = data["gold"]["figures"]
        cards += [("micro F1", f"{f['micro_f1']:.3f}"), ("micro P", f"{f['micro_p']:.3f}"),
                  ("top-1", f"{f['top1']:.3f}")]
    body = ["<h1>repotag audit</h1>",
            '<div class="cards">' + "".join(f"<div class=\"card\"><span class=\"muted\">{esc(k)}</span><b>{esc(str(v))}</b></div>"
                                             for k, v in cards) + "</div>",
            "<h2>Tag distribution</h2>", _chart(data["distribution"])]
    tables = [b for b in _tables(data, tags, limit=None) if isinstance(b, Table)]
    lines = [b for b in _tables(data, tags, limit=None)[:2] if isinstance(b, str)]
    body.append("".join(f"<p class=\"muted\">{esc(s)}</p>" for s in lines))
    if "gold" in data:
        body.append("<h2>Against gold</h2><p>" + "<br>".join(esc(s) for s in summary_lines(data["_figures"], data["failed"])) + "</p>")
    body.append("<h2>Tables</h2>")
    body += [html_table(t) for t in tables]
    return page("repotag audit", "\n".join(body))
