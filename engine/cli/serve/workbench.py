"""What the workbench page does, without the web: packs loaded with an
unsaved edit, lint at the edit's lines, the explain report of a README, the
rule file's examples, the corpus tagged again and compared with the saved
rules, and Save.

Every request names its unsaved edits ({file name: text}); a load is keyed on
them and on the pack files' state on disk, so the page can ask for lint,
explain and the corpus diff of one edit in turn and the pack is read once.
"The saved rules" are the files on disk: when they change (a Save, or an
editor outside the page), the baseline is loaded and tagged again.
"""
from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from ...inputs.read import Item
from ...packs.discover import Pack
from ...packs.lint import lint_collected
from ...packs.model import Problem, RuleSet
from ...packs.read import collect_packs, unsaved_sources
from ...packs.taglist import TagList
from ...reports.evaluate import figures, tag_name
from ...reports.explain import evidence_html, explain, highlight_css, readme_html, scores_html
from ...reports.render import loc_str, rel
from ...reports.ruletest import describe, run_examples
from ...tagging.tagger import Tagger
from ..records import tag_record
from . import edits as edit_io
from . import pool
from .corpus import Corpus, tag_item
from .files import AccessError, PackFile, pack_files, resolve

MAX_RULE_TEXT = 1_000_000  # characters of one edited rule file
MAX_EDITS = 8  # unsaved files in one request
LOADS_KEPT = 6  # recent loads (one per distinct edit) kept in memory


class RequestError(ValueError):
    """Bad input from the page or an API client; status is the HTTP status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class Conflict(Exception):
    def __init__(self, message: str, current: str):
        super().__init__(message)
        self.current = current


@dataclass
class Loaded:
    """The packs with one set of unsaved edits."""

    key: str
    ruleset: RuleSet
    problems: list[Problem]  # the loader's: any one keeps the pack from loading
    tagger: Tagger | None
    seconds: float
    corpus: dict | None = None  # id → tags (or error), once tagged
    corpus_seconds: float = 0.0  # CPU of this process
    corpus_wall: float = 0.0
    lint_cache: dict = field(default_factory=dict)


def _digest(parts) -> str:
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(str(p).encode("utf-8", "surrogateescape") + b"\0")
    return h.hexdigest()


def _errors(gold: list[int], pred: list[int]) -> int:
    return len(set(gold) ^ set(pred))


class Workbench:
    def __init__(self, packs: list[Pack], tags: TagList, max_tags: int | None = None, corpus: Corpus | None = None):
        self.packs = packs
        self.tags = tags
        self.max_tags = max_tags
        self.corpus = corpus
        self.pool = None
        self.jobs = 1
        self._loads: OrderedDict[str, Loaded] = OrderedDict()
        # One computation at a time: the engine is CPU-bound and the page is
        # one person's; requests queue instead of thrashing two cores.
        self.lock = threading.RLock()

    def start_jobs(self, jobs: int) -> None:
        """Tag (and so parse) the corpus once here, then fork `jobs` workers to
        tag it after edits (see pool.py). Call from the main thread before
        serving: the fork must see no threads."""
        base = self.load({})
        if self.corpus is None or base.tagger is None:
            return
        self._tag_corpus(base, base.tagger)  # no pool yet: in this process, results kept
        self.pool = pool.start(self, jobs)
        self.jobs = jobs if self.pool is not None else 1

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool = None

    # ------------------------------------------------------------ files

    def files(self) -> list[dict]:
        """The pack files, each with the tags its rules are for."""
        base = self.load({})
        tags_of: dict[str, set] = {}
        for r in base.ruleset.rules:
            tags_of.setdefault(r.loc.file, set()).add(r.tag)
        out = []
        for f in pack_files(self.packs):
            names = sorted(tag_name(self.tags, t) for t in tags_of.get(f.loader_name, ()) if t is not None)
            out.append({"file": f.key, "pack": f.pack, "pack_label": self.packs[f.pack].label,
                        "path": f.rel, "shown": rel(f.loader_name), "tags": names, "editable": f.inside})
        return out

    def tag_files(self) -> dict[int, str]:
        """tag id → the file holding its first rule (what "edit the rules of a tag" opens)."""
        by_name = {f.loader_name: f.key for f in pack_files(self.packs) if f.inside}
        out: dict[int, str] = {}
        for r in self.load({}).ruleset.rules:
            if r.tag is not None and r.tag not in out and r.loc.file in by_name:
                out[r.tag] = by_name[r.loc.file]
        return out

    def open_file(self, key) -> dict:
        f = resolve(self.packs, key)
        try:
            data = f.path.read_bytes()
        except OSError as exc:
            raise AccessError(f"{f.key}: cannot read: {exc.strerror or exc}", 404) from None
        try:
            text = edit_io.decode(data, f.key)
        except edit_io.EncodingProblem as exc:
            raise RequestError(str(exc), 422) from None
        return {"file": f.key, "path": f.rel, "shown": rel(f.loader_name), "text": text,
                "version": edit_io.version(data)}

    def save(self, key, text, version) -> dict:
        """Write an edit; Conflict when the file is no longer what was opened."""
        f = resolve(self.packs, key)
        if not isinstance(text, str) or len(text) > MAX_RULE_TEXT:
            raise RequestError(f"text: a string of at most {MAX_RULE_TEXT} characters")
        if not isinstance(version, str):
            raise RequestError("version: the version the file was opened at")
        with self.lock:
            try:
                data = f.path.read_bytes()
            except OSError as exc:
                raise AccessError(f"{f.key}: cannot read: {exc.strerror or exc}", 404) from None
            now = edit_io.version(data)
            if now != version:
                raise Conflict(f"{f.key} changed on disk since it was opened; reopen it (your text stays in the "
                               "editor) or copy your edit elsewhere", now)
            try:
                new = edit_io.merge_edit(data, text)
            except edit_io.EncodingProblem as exc:
                raise RequestError(str(exc), 422) from None
            if new != data:
                edited = self._loads.get(self._key({f.loader_name: text}))
                try:
                    edit_io.write_atomic(f.path, new)
                except OSError as exc:
                    raise RequestError(f"{f.key}: cannot write: {exc.strerror or exc}", 500) from None
                if edited is not None:
                    # What was just saved is the pack the page has been looking at:
                    # it becomes the saved rules without loading or tagging again.
                    edited.key = self._key({})
                    self._loads[edited.key] = edited
            return {"file": f.key, "version": edit_io.version(new), "written": new != data, "bytes": len(new)}

    # ------------------------------------------------------------ loading

    def _edit_texts(self, edits) -> dict[str, str]:
        """{loader path: text} for a request's {file name: text}."""
        if edits is None:
            return {}
        if not isinstance(edits, dict):
            raise RequestError("edits: an object {file name: text}")
        if len(edits) > MAX_EDITS:
            raise RequestError(f"edits: at most {MAX_EDITS} files")
        out = {}
        for key, text in sorted(edits.items()):
            f = resolve(self.packs, key)
            if not isinstance(text, str) or len(text) > MAX_RULE_TEXT:
                raise RequestError(f"edits[{key!r}]: a string of at most {MAX_RULE_TEXT} characters")
            out[f.loader_name] = text
        return out

    def _disk_state(self) -> str:
        """Changes when any pack file (or the tag list) changes on disk."""
        parts = [self.tags.source]
        for f in pack_files(self.packs):
            try:
                st = f.path.stat()
                parts.append(f"{f.loader_name}:{st.st_size}:{st.st_mtime_ns}")
            except OSError:
                parts.append(f"{f.loader_name}:-")
        for p in self.packs:
            t = p.path / "tags.json"
            if t.is_file():
                st = t.stat()
                parts.append(f"{t}:{st.st_size}:{st.st_mtime_ns}")
        return _digest(parts)

    def _key(self, texts: dict[str, str]) -> str:
        return _digest([self._disk_state()] + [x for p in sorted(texts) for x in (p, texts[p])])

    def load(self, edits) -> Loaded:
        texts = self._edit_texts(edits)
        with self.lock:
            # An edit identical to the file on disk is no edit: it shares the baseline.
            texts = {p: t for p, t in texts.items() if not _same_as_disk(p, t)}
            key = self._key(texts)
            hit = self._loads.get(key)
            if hit is not None:
                self._loads.move_to_end(key)
                return hit
            t0 = time.process_time()
            with unsaved_sources(texts):
                rs, problems = collect_packs(self.packs, self.tags)
            tagger = Tagger(rs, self.max_tags) if not problems else None
            loaded = Loaded(key, rs, problems, tagger, time.process_time() - t0)
            self._loads[key] = loaded
            while len(self._loads) > LOADS_KEPT:
                self._loads.popitem(last=False)
            return loaded

    def status(self, loaded: Loaded) -> dict:
        return {"loaded": loaded.tagger is not None, "errors": len(loaded.problems),
                "load_seconds": round(loaded.seconds, 3),
                "message": "" if loaded.tagger else
                f"the edited pack does not load ({len(loaded.problems)} problem(s)); results are of the saved rules"}

    def _tagger(self, edits) -> tuple[Tagger, Loaded]:
        """The edited pack's Tagger, or the saved rules' when the edit does not load."""
        loaded = self.load(edits)
        if loaded.tagger is not None:
            return loaded.tagger, loaded
        base = self.load({})
        if base.tagger is None:
            msgs = "; ".join(str(p) for p in base.problems[:5])
            raise RequestError(f"the saved rule packs do not load: {msgs}", 500)
        return base.tagger, loaded

    # ------------------------------------------------------------ lint and examples

    def lint(self, key, text) -> dict:
        """Problems of one file with its unsaved text, and its examples' results."""
        f = resolve(self.packs, key)
        edits = {f.key: text}
        with self.lock:
            loaded = self.load(edits)
            if f.key not in loaded.lint_cache:
                only = {str(Path(f.loader_name).resolve())}
                findings = lint_collected(loaded.ruleset, loaded.problems, [f.loader_name], only)
                loaded.lint_cache[f.key] = findings
            findings = loaded.lint_cache[f.key]
            problems = [dict(x.as_dict(), file=f.key) for x in findings]
            examples = self._examples(loaded, f) if loaded.tagger is not None else []
        return {"file": f.key, "problems": problems,
                "errors": sum(p["severity"] == "error" for p in problems),
                "warnings": sum(p["severity"] == "warning" for p in problems),
                "examples": examples, "pack": self.status(loaded),
                "other_problems": [str(p) for p in loaded.problems if p.loc.file != f.loader_name][:20]}

    def _examples(self, loaded: Loaded, f: PackFile) -> list[dict]:
        tagger = loaded.tagger
        mine = [e for e in loaded.ruleset.examples if e.loc.file == f.loader_name]
        out = []
        for r in run_examples(tagger, mine):
            ex = r.example
            names = lambda ids: [tag_name(tagger.tags, i) for i in ids]  # noqa: E731
            out.append({"line": ex.loc.line, "text": ex.text, "tags": names(ex.tags), "not": names(ex.not_tags),
                        "got": list(r.result.names), "ok": r.ok,
                        "message": "" if r.ok else describe(r, tagger, loc_str)})
        return out

    # ------------------------------------------------------------ one README

    def readme(self, body: dict) -> tuple[str, str, list[int] | None]:
        """(text, source, gold tags) of a request: {"text": ...} or {"id": corpus id}."""
        if "id" in body and body["id"] is not None:
            iid = body["id"]
            item = self.corpus.by_id(str(iid)) if self.corpus and isinstance(iid, (str, int)) else None
            if item is None:
                raise RequestError(f"id {iid!r}: no such README in the corpus", 404)
            if item.error:
                raise RequestError(item.error, 422)
            gold = self.corpus.gold.get(item.id) if self.corpus.gold is not None else None
            return item.text, item.id, gold
        text = body.get("text")
        if not isinstance(text, str):
            raise RequestError('give "text" (a README) or "id" (a README of the corpus)')
        from ...inputs.read import cap

        item = cap(Item("pasted", text))
        return item.text, "pasted", None

    def tag(self, body: dict) -> dict:
        text, source, gold = self.readme(body)
        with self.lock:
            tagger, loaded = self._tagger(body.get("edits"))
            rec, msgs, failed = tag_record(tagger, Item(source, text, source=source), self.max_tags)
        out = dict(rec)
        if not failed:
            out["names"] = [tag_name(tagger.tags, t) for t in rec["tags"]]
        if gold is not None:
            out["gold"] = gold
        out["pack"] = self.status(loaded)
        return out

    def explain(self, body: dict) -> dict:
        text, source, gold = self.readme(body)
        want = body.get("tags") or []
        if not isinstance(want, list) or len(want) > 20:
            raise RequestError("tags: a list of tag names or ids")
        with self.lock:
            tagger, loaded = self._tagger(body.get("edits"))
            ids = []
            for ref in want:
                t = tagger.tags.resolve(ref) if isinstance(ref, (str, int)) and not isinstance(ref, bool) else None
                if t is None:
                    raise RequestError(f"tags: unknown tag {ref!r}")
                ids.append(t.id)
            data, _ = explain(tagger, text, source, tuple(dict.fromkeys(ids)))
            files = self._file_index()
            tag_files = self.tag_files()
        for e in data["entries"]:
            e["file"] = tag_files.get(e["tag"])
            for r in e["evidence"]:
                r["term_file"], r["term_line"] = _file_line(r["term_loc"], files)
        html = {"css": highlight_css(data), "scores": scores_html(data), "readme": readme_html(data, text),
                "evidence": evidence_html(data)}
        out = {"explain": data, "html": html, "pack": self.status(loaded)}
        if gold is not None:
            out["gold"] = gold
            out["gold_names"] = [tag_name(self.tags, t) for t in gold]
        return out

    def _file_index(self) -> dict[str, str]:
        """Evidence names rule files as explain prints them: back to file names."""
        out = {}
        for f in pack_files(self.packs):
            if f.inside:
                out[rel(f.loader_name)] = f.key
                out[f.loader_name] = f.key
        return out

    # ------------------------------------------------------------ the corpus

    def _tag_corpus(self, loaded: Loaded, tagger: Tagger) -> dict:
        """id → {"tags": [...]} or {"error": ...} for every README of the corpus.

        Only rules change between runs, so each README is parsed once and kept
        (up to PARSED_KEPT of them); a run is matching and scoring alone, by
        the --jobs workers (pool.py) or in this process."""
        if loaded.corpus is not None:
            return loaded.corpus
        t0, w0 = time.process_time(), time.perf_counter()
        results = None
        if self.pool is not None:
            try:
                results = pool.run(self.pool, loaded.key, loaded.ruleset, len(self.corpus.items))
            except Exception:  # a dead or stalled worker: give the pool up, tag here
                self.pool.terminate()
                self.pool = None
        if results is None:
            results = [tag_item(tagger, self.corpus, i, self.max_tags) for i in range(len(self.corpus.items))]
        out = dict(zip((it.id for it in self.corpus.items), results))
        loaded.corpus = out
        loaded.corpus_seconds = time.process_time() - t0
        loaded.corpus_wall = time.perf_counter() - w0
        return out

    def corpus_list(self) -> dict:
        if self.corpus is None:
            return {"docs": [], "source": None}
        with self.lock:
            base = self.load({})
            tagger = base.tagger
            results = self._tag_corpus(base, tagger) if tagger else {}
        docs = []
        for it in self.corpus.items:
            r = results.get(it.id, {})
            docs.append({"id": it.id, "error": it.error or r.get("error"), "tags": r.get("tags", []),
                         "gold": (self.corpus.gold or {}).get(it.id)})
        return {"docs": docs, "source": self.corpus.source, "gold": self.corpus.gold is not None,
                "notes": self.corpus.notes}

    def evaluate(self, body: dict) -> dict:
        """Figures of the saved rules; with edits, those of the edited pack, the
        per-tag deltas and the READMEs the edit fixed, broke and changed."""
        if self.corpus is None:
            raise RequestError("no corpus: start `repotag serve` with --corpus or --gold", 404)
        with self.lock:
            base = self.load({})
            if base.tagger is None:
                raise RequestError("the saved rule packs do not load: "
                                   + "; ".join(str(p) for p in base.problems[:5]), 500)
            before = self._tag_corpus(base, base.tagger)
            loaded = self.load(body.get("edits"))
            after = None
            if loaded.key != base.key and loaded.tagger is not None:
                after = self._tag_corpus(loaded, loaded.tagger)
            ran = loaded if after is not None else base
            seconds, wall = ran.corpus_seconds, ran.corpus_wall
        out = {"source": self.corpus.source, "docs": len(self.corpus.items), "gold": self.corpus.gold is not None,
               "notes": self.corpus.notes, "pack": self.status(loaded), "edited": loaded.key != base.key,
               "seconds": round(seconds, 3), "wall_seconds": round(wall, 3), "jobs": self.jobs,
               "failed": sum("error" in r for r in before.values())}
        pred_b = {i: r["tags"] for i, r in before.items() if "tags" in r}
        pred_a = {i: r["tags"] for i, r in after.items() if "tags" in r} if after is not None else None
        gold = self.corpus.gold
        if gold is not None:
            fb = figures(pred_b, gold)
            out["before"] = fb.to_json(self.tags, per_tag=False)
            fa = figures(pred_a, gold) if pred_a is not None else None
            out["after"] = fa.to_json(self.tags, per_tag=False) if fa else None
            out["per_tag"] = _per_tag(fb, fa, self.tags)
        else:
            out["before"] = out["after"] = None
            out["per_tag"] = []
        out["diff"] = _diff(self.corpus, pred_b, pred_a, before, after, self.tags) if after is not None else []
        out["counts"] = {k: sum(r["change"] == k for r in out["diff"]) for k in ("fixed", "broken", "changed")}
        return out


def _same_as_disk(path: str, text: str) -> bool:
    try:
        data = Path(path).read_bytes()
        return edit_io.decode(data, path) == text.replace("\r\n", "\n") or data == text.encode("utf-8")
    except (OSError, edit_io.EncodingProblem):
        return False


def _file_line(term_loc: str, files: dict[str, str]) -> tuple[str | None, int | None]:
    parts = term_loc.rsplit(":", 2)
    if len(parts) == 3 and parts[1].isdigit():
        return files.get(parts[0]), int(parts[1])
    return None, None


def _per_tag(fb, fa, tags: TagList) -> list[dict]:
    rows = {t.tag: {"tag": t.tag, "name": tag_name(tags, t.tag), "before": _tf(t), "after": None} for t in fb.per_tag}
    if fa is not None:
        for t in fa.per_tag:
            row = rows.setdefault(t.tag, {"tag": t.tag, "name": tag_name(tags, t.tag), "before": None, "after": None})
            row["after"] = _tf(t)
        for row in rows.values():
            b = row["before"] or {"f1": 0.0}
            a = row["after"] or {"f1": 0.0}
            row["delta_f1"] = round(a["f1"] - b["f1"], 4)
    # Worst first, as `eval --per-tag`; a changed tag first of all.
    return sorted(rows.values(), key=lambda r: (-(abs(r.get("delta_f1") or 0) > 0),
                                                (r["after"] or r["before"] or {"f1": 0})["f1"], r["tag"]))


def _tf(t) -> dict:
    return {"tp": t.tp, "fp": t.fp, "fn": t.fn, "precision": round(t.precision, 4),
            "recall": round(t.recall, 4), "f1": round(t.f1, 4)}


_ORDER = {"broken": 0, "fixed": 1, "changed": 2}


def _diff(corpus: Corpus, pred_b, pred_a, before, after, tags: TagList) -> list[dict]:
    """The READMEs whose tags the edit changed: fixed (fewer wrong or missing
    tags against the gold), broken (more), changed (as many, or no gold)."""
    rows = []
    for it in corpus.items:
        b, a = before.get(it.id, {}), after.get(it.id, {})
        if b == a:
            continue
        tb, ta = b.get("tags", []), a.get("tags", [])
        g = corpus.gold.get(it.id) if corpus.gold is not None else None
        if g is None:
            change = "changed"
        else:
            eb, ea = _errors(g, tb), _errors(g, ta)
            change = "fixed" if ea < eb else "broken" if ea > eb else "changed"
        name = lambda ids: [tag_name(tags, t) for t in ids]  # noqa: E731
        rows.append({"id": it.id, "change": change, "gold": name(g) if g is not None else None,
                     "before": name(tb), "after": name(ta), "error": a.get("error") or b.get("error")})
    return sorted(rows, key=lambda r: (_ORDER[r["change"]], r["id"]))
