"""The workbench page, rendered on the server: the three views' frames with
the pack files and corpus READMEs filled in; static/workbench.js fills the
rest from the JSON API. Every name and path is escaped here; the script
inserts only text or HTML the server escaped."""
from __future__ import annotations

from ...reports.render import esc
from .workbench import Workbench


def _file_options(wb: Workbench) -> str:
    groups: dict[int, list[str]] = {}
    for f in wb.files():
        label = f["path"] + (f" ({', '.join(f['tags'])})" if f["tags"] else "")
        disabled = "" if f["editable"] else " disabled"
        groups.setdefault(f["pack"], []).append(
            f'<option value="{esc(f["file"])}"{disabled}>{esc(label)}</option>')
    out = []
    for i, opts in groups.items():
        pack = wb.packs[i]
        out.append(f'<optgroup label="{esc(pack.label)}: {esc(str(pack.path))}">{"".join(opts)}</optgroup>')
    return "".join(out)


def _doc_options(wb: Workbench) -> str:
    if wb.corpus is None:
        return ""
    return "".join(f'<option value="{esc(it.id)}">{esc(it.id)}{" (unreadable)" if it.error else ""}</option>'
                   for it in wb.corpus.items)


def _tag_options(wb: Workbench) -> str:
    return "".join(f'<option value="{t.id}">{esc(t.name.strip())}</option>'
                   for t in sorted(wb.tags, key=lambda t: t.name.strip().lower()))


def render_page(wb: Workbench) -> str:
    corpus = wb.corpus
    if corpus is None:
        corpus_note = ('<p class="muted">No corpus: start with <code>--gold GOLD.jsonl</code> (or '
                       '<code>--corpus DIR_OR_JSONL</code>) to see what an edit changes over many READMEs.</p>')
    else:
        corpus_note = (f'<p class="muted">{len(corpus.items)} READMEs from <code>{esc(corpus.source)}</code>'
                       + (", with gold tags" if corpus.gold is not None else ", no gold (tag changes only)") + "</p>"
                       + "".join(f'<p class="warn">{esc(n)}</p>' for n in corpus.notes))
    packs = " · ".join(f'<span title="{esc(str(p.path))}">{esc(p.label)}</span>' for p in wb.packs) or "none"
    picker = (f'<select id="doc"><option value="">— a README of the corpus —</option>{_doc_options(wb)}</select>'
              if corpus is not None else "")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>repotag workbench</title>
<link rel="stylesheet" href="/static/workbench.css">
<script src="/static/workbench.js" defer></script>
</head><body data-corpus="{'1' if corpus is not None else ''}" data-gold="{'1' if corpus is not None and corpus.gold is not None else ''}">
<header><h1>repotag workbench</h1><span class="muted">packs: {packs}</span>
<span id="pack-status" class="status"></span></header>
<main>
<section id="readme-view" class="panel">
 <h2>README</h2>
 <div class="row">{picker}<button id="paste-mode" type="button">paste a README</button>
  <label>why not <select id="want"><option value="">— a tag —</option>{_tag_options(wb)}</select></label></div>
 <textarea id="readme-text" spellcheck="false" placeholder="Paste a README here, or pick one of the corpus"></textarea>
 <div id="readme-head"></div>
 <div id="detail" class="detail" hidden></div>
 <div id="readme-scores"></div>
 <div id="readme-html"></div>
 <details id="readme-evidence-box"><summary>evidence tables</summary><div id="readme-evidence"></div></details>
</section>
<section id="editor-view" class="panel">
 <h2>Rule file</h2>
 <div class="row"><select id="file"><option value="">— open a file of the packs in use —</option>{_file_options(wb)}</select>
  <button id="save" type="button" disabled>Save</button><button id="revert" type="button" disabled>Revert</button>
  <span id="file-status" class="status"></span></div>
 <div class="editor"><pre id="gutter" aria-hidden="true"></pre><textarea id="rule-text" spellcheck="false" wrap="off" disabled></textarea></div>
 <div id="lint-summary" class="muted"></div>
 <ul id="problems"></ul>
 <h3>Examples of this file</h3>
 <div id="examples" class="muted">open a rule file</div>
</section>
<section id="corpus-view" class="panel wide">
 <h2>Corpus</h2>
 {corpus_note}
 <div id="figures"></div>
 <div id="diff-box"></div>
 <details id="per-tag-box" open><summary>per tag</summary><div id="per-tag"></div></details>
</section>
</main>
<style id="hl-style"></style>
</body></html>
"""
