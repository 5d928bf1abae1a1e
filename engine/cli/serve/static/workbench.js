// repotag workbench: the page's glue. It sends the open rule file's unsaved
// text with every request and shows what comes back; HTML it inserts was
// escaped by the server (the explain renderer), everything else is set as text.
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  file: null, version: null, saved: "", readmeId: null,
  seq: { lint: 0, readme: 0, corpus: 0 }, explain: null, busy: 0,
};

async function api(path, body) {
  const opts = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const r = await fetch(path, opts);
  let data;
  try { data = await r.json(); } catch (e) { data = { error: r.status + " " + r.statusText }; }
  if (!r.ok) {
    const err = new Error(data.error || r.statusText);
    err.status = r.status; err.data = data;
    throw err;
  }
  return data;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function debounce(fn, ms) {
  let t = null;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}

function busy(delta) {
  state.busy += delta;
  document.body.classList.toggle("busy", state.busy > 0);
}

function dirty() { return state.file !== null && $("rule-text").value !== state.saved; }
function edits() { return dirty() ? { [state.file]: $("rule-text").value } : {}; }

function showPack(pack) {
  const s = $("pack-status");
  s.textContent = pack && !pack.loaded ? pack.message : (dirty() ? "unsaved edit in use" : "saved rules");
  s.className = "status " + (pack && !pack.loaded ? "bad" : dirty() ? "edit" : "ok");
}

function fmt(x) { return x === null || x === undefined ? "–" : Number(x).toFixed(3); }

function delta(a, b) {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  const d = b - a;
  if (Math.abs(d) < 0.0005) return el("span", { class: "muted" }, "±0");
  return el("span", { class: d > 0 ? "up" : "down" }, (d > 0 ? "+" : "") + d.toFixed(3));
}

// ------------------------------------------------------------------ README view

function readmeRequest() {
  const want = $("want").value ? { tags: [Number($("want").value)] } : {};
  if (state.readmeId) return { id: state.readmeId, ...want };
  const text = $("readme-text").value;
  return text.trim() ? { text, ...want } : null;
}

async function refreshReadme() {
  const req = readmeRequest();
  const seq = ++state.seq.readme;
  if (!req) {
    for (const id of ["readme-head", "readme-scores", "readme-html", "readme-evidence"]) $(id).replaceChildren();
    return;
  }
  busy(1);
  try {
    const data = await api("/api/explain", { ...req, edits: edits() });
    if (seq !== state.seq.readme) return;
    state.explain = data.explain;
    $("hl-style").textContent = data.html.css;
    $("readme-scores").innerHTML = data.html.scores;
    $("readme-html").innerHTML = data.html.readme;
    $("readme-evidence").innerHTML = data.html.evidence;
    $("detail").hidden = true;
    if ($("want").value) $("readme-evidence-box").open = true;  // what the asked tag lacked is there
    renderHead(data);
    showPack(data.pack);
  } catch (e) {
    if (seq === state.seq.readme) $("readme-head").replaceChildren(el("p", { class: "error" }, e.message));
  } finally { busy(-1); }
}

function renderHead(data) {
  const ex = data.explain;
  const chips = ex.names.length ? ex.names.map((n) => el("span", { class: "chip" }, n)) : [el("span", { class: "muted" }, "no tag")];
  const head = [el("p", {}, el("b", {}, ex.source + ": "), ...chips)];
  if (data.gold_names) {
    const gold = new Set(data.gold_names);
    const ok = ex.names.filter((n) => gold.has(n)).length;
    // A missed gold tag is a button: it asks why that tag did not fire.
    const goldChip = (n, id) => ex.names.includes(n) ? el("span", { class: "chip gold" }, n)
      : el("button", { type: "button", class: "chip gold missed", title: "why not " + n + "?", onclick: () => { $("want").value = String(id); refreshReadme(); } }, n);
    head.push(el("p", {}, "gold: ", ...data.gold_names.map((n, k) => goldChip(n, data.gold[k])),
      el("span", { class: "muted" }, ` (${ok} of ${data.gold_names.length} found)`)));
  }
  const links = ex.entries.filter((e) => e.file).map((e) =>
    el("button", { type: "button", class: "link", onclick: () => openFile(e.file) }, `edit ${e.name} rules`));
  if (links.length) head.push(el("p", { class: "links" }, ...links));
  head.push(el("p", { class: "muted" }, "Click a highlighted term to see its rule, the term's file:line and its contribution."));
  $("readme-head").replaceChildren(...head);
}

function showEvidence(span) {
  const ex = state.explain;
  if (!ex) return;
  const rows = (span.dataset.ev || "").split(" ").filter(Boolean).map((ref) => {
    const [i, j] = ref.split(".").map(Number);
    const entry = ex.entries[i];
    const r = entry && entry.evidence[j];
    if (!r) return null;
    // The file as named inside its pack (the full path is the tooltip).
    const where = r.term_file ? r.term_file.split("/").slice(1).join("/") + r.term_loc.slice(r.term_loc.lastIndexOf(":", r.term_loc.lastIndexOf(":") - 1)) : r.term_loc;
    const open = r.term_file ? el("button", { type: "button", class: "link", title: "open " + r.term_loc, onclick: () => openFile(r.term_file, r.term_line) }, where) : r.term_loc;
    const contrib = r.cancelled_by ? "cancelled by " + r.cancelled_by : (r.contribution > 0 ? "+" : "") + r.contribution.toFixed(2);
    return el("tr", {},
      el("td", {}, entry.name), el("td", {}, el("code", {}, r.rule)),
      el("td", {}, (r.kind === "negative" ? "NOT " : "") + r.term + (r.matched.toLowerCase() !== r.term.toLowerCase() ? " → " + r.matched : "")),
      el("td", {}, open), el("td", {}, `${r.line}:${r.column || ""}`), el("td", {}, r.scope + (r.section ? " in " + r.section : "")),
      el("td", { class: "n" }, contrib));
  }).filter(Boolean);
  const table = el("table", {}, el("thead", {}, el("tr", {}, ...["tag", "rule", "term", "term's file:line", "README", "where", "contribution"].map((h) => el("th", {}, h)))), el("tbody", {}, rows));
  $("detail").replaceChildren(el("button", { type: "button", class: "close", onclick: () => { $("detail").hidden = true; } }, "×"), table);
  $("detail").hidden = false;
}

async function pickDoc(id) {
  state.readmeId = id || null;
  $("want").value = "";
  $("readme-text").readOnly = !!id;
  if (id) {
    const sel = $("doc");
    if (sel) sel.value = id;
    $("readme-text").value = "";
    $("readme-text").placeholder = "README " + id + " of the corpus (paste a README to replace it)";
  }
  await refreshReadme();
  $("readme-view").scrollIntoView({ block: "start" });
}

// ------------------------------------------------------------------ rule editor

function lineStarts(text) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  return starts;
}

function renderGutter(problems) {
  const text = $("rule-text").value;
  const n = lineStarts(text).length;
  const marks = new Map();
  for (const p of problems || []) {
    const m = marks.get(p.line) || { severity: "warning", msgs: [] };
    if (p.severity === "error") m.severity = "error";
    m.msgs.push(`${p.code}: ${p.message}`);
    marks.set(p.line, m);
  }
  const lines = [];
  for (let i = 1; i <= n; i++) {
    const m = marks.get(i);
    lines.push(el("div", { class: m ? "mark " + m.severity : null, title: m ? m.msgs.join("\n") : null, "data-line": i }, String(i)));
  }
  $("gutter").replaceChildren(...lines);
  $("gutter").scrollTop = $("rule-text").scrollTop;
}

function gotoLine(line, col) {
  const ta = $("rule-text");
  const starts = lineStarts(ta.value);
  const at = starts[Math.min(Math.max(line, 1), starts.length) - 1] + Math.max((col || 1) - 1, 0);
  ta.focus();
  ta.setSelectionRange(at, at);
  const lh = parseFloat(getComputedStyle(ta).lineHeight) || 18;
  ta.scrollTop = Math.max(0, (line - 4) * lh);
  $("gutter").scrollTop = ta.scrollTop;
}

async function openFile(key, line) {
  if (!key) return;
  if (dirty() && key !== state.file && !confirm(`Discard the unsaved edit of ${state.file}?`)) {
    $("file").value = state.file;
    return;
  }
  if (key !== state.file || !dirty()) {
    try {
      const f = await api("/api/file?file=" + encodeURIComponent(key));
      state.file = f.file; state.version = f.version; state.saved = f.text;
      $("rule-text").value = f.text;
      $("rule-text").disabled = false;
      $("file").value = f.file;
      setFileStatus(`${f.shown}`, "");
    } catch (e) { setFileStatus(e.message, "bad"); return; }
  }
  updateButtons();
  renderGutter([]);
  if (line) gotoLine(line);
  await runEdit(false);
}

function setFileStatus(text, cls) {
  $("file-status").textContent = text;
  $("file-status").className = "status " + (cls || "");
}

function updateButtons() {
  $("save").disabled = !dirty();
  $("revert").disabled = !dirty();
  if (state.file) setFileStatus((dirty() ? "unsaved: " : "") + state.file, dirty() ? "edit" : "");
}

async function lint() {
  if (!state.file) return;
  const seq = ++state.seq.lint;
  try {
    const r = await api("/api/lint", { file: state.file, text: $("rule-text").value });
    if (seq !== state.seq.lint) return;
    renderGutter(r.problems);
    $("lint-summary").textContent = `${r.errors} error(s), ${r.warnings} warning(s)` +
      (r.pack.loaded ? `; pack loaded in ${r.pack.load_seconds.toFixed(2)} s` : "; " + r.pack.message);
    $("problems").replaceChildren(...r.problems.map((p) => el("li", { class: p.severity },
      el("button", { type: "button", class: "link", onclick: () => gotoLine(p.line, p.col) }, `${p.line}:${p.col}`),
      ` ${p.code}: ${p.message}`)),
    ...r.other_problems.map((m) => el("li", { class: "error" }, m)));
    renderExamples(r);
    showPack(r.pack);
  } catch (e) {
    if (seq === state.seq.lint) $("lint-summary").textContent = e.message;
  }
}

function renderExamples(r) {
  const box = $("examples");
  if (!r.pack.loaded) { box.textContent = "the edited pack does not load: examples not run"; return; }
  if (!r.examples.length) { box.textContent = "this file has no examples"; return; }
  const failed = r.examples.filter((x) => !x.ok).length;
  box.className = "";
  box.replaceChildren(el("p", { class: failed ? "error" : "ok" }, `${r.examples.length - failed} of ${r.examples.length} pass`),
    el("table", {}, el("thead", {}, el("tr", {}, ...["line", "", "text", "expects", "must not", "got"].map((h) => el("th", {}, h)))),
      el("tbody", {}, r.examples.map((x) => el("tr", { class: x.ok ? "" : "fail", title: x.message || null },
        el("td", {}, el("button", { type: "button", class: "link", onclick: () => gotoLine(x.line) }, String(x.line))),
        el("td", {}, x.ok ? "✓" : "✗"), el("td", {}, el("code", {}, x.text.split("\n").slice(0, 2).join(" ⏎ ").slice(0, 90))),
        el("td", {}, x.tags.join(", ")), el("td", {}, x.not.join(", ")), el("td", {}, x.got.join(", ") || "none"))))));
}

async function runEdit(corpusToo = true) {
  updateButtons();
  await lint();
  await refreshReadme();
  if (corpusToo || !state.corpusShown) await refreshCorpus();
}

const onEdit = debounce(() => runEdit(true), 350);

async function save() {
  if (!state.file) return;
  try {
    const r = await api("/api/save", { file: state.file, text: $("rule-text").value, version: state.version });
    state.version = r.version;
    state.saved = $("rule-text").value;
    updateButtons();
    setFileStatus(`saved ${state.file} (${r.bytes} bytes)`, "ok");
    showPack(null);
    await refreshCorpus();
  } catch (e) {
    setFileStatus("not saved: " + e.message, "bad");
    if (e.status === 409 && confirm(`${state.file} changed on disk since you opened it.\n\n` +
        "OK: load the version on disk (your edit is dropped). Cancel: keep editing (copy your edit before reopening).")) {
      const key = state.file;
      state.saved = $("rule-text").value;  // not dirty: openFile reloads from disk
      await openFile(key);
    }
  }
}

// ------------------------------------------------------------------ corpus view

function figureCards(b, a) {
  const keys = [["micro_p", "micro P"], ["micro_r", "micro R"], ["micro_f1", "micro F1"], ["macro_f1", "macro F1"],
    ["top1", "top-1"], ["success_at_3", "success@3"], ["exact", "exact"], ["untagged", "untagged"]];
  return el("div", { class: "cards" }, keys.map(([k, label]) => {
    const lowerIsBetter = k === "untagged";
    const d = a ? delta(lowerIsBetter ? a[k] : b[k], lowerIsBetter ? b[k] : a[k]) : null;
    if (d && lowerIsBetter && d.className !== "muted") d.textContent = (a[k] - b[k] > 0 ? "+" : "") + (a[k] - b[k]).toFixed(3);
    return el("div", { class: "card", "data-key": k }, el("span", { class: "muted" }, label),
      el("b", {}, a ? fmt(a[k]) : fmt(b[k])), a ? el("span", {}, "was " + fmt(b[k]) + " ", d) : null);
  }));
}

function tagList(names) { return (names || []).join(", ") || "–"; }

async function refreshCorpus() {
  if (!document.body.dataset.corpus) return;
  const seq = ++state.seq.corpus;
  busy(1);
  $("corpus-view").classList.add("stale");
  try {
    const r = await api("/api/eval", { edits: edits() });
    if (seq !== state.seq.corpus) return;
    state.corpusShown = true;
    const parts = [];
    if (r.before) parts.push(figureCards(r.before, r.after));
    parts.push(el("p", { class: "muted", id: "corpus-timing" },
      `${r.docs} READMEs` + (r.failed ? `, ${r.failed} unreadable` : "") +
      (r.edited ? `; tagged again with the edit in ${r.wall_seconds.toFixed(2)} s (${r.jobs} job${r.jobs > 1 ? "s" : ""})` : "; the saved rules") +
      (r.pack.loaded ? "" : "; " + r.pack.message)));
    $("figures").replaceChildren(...parts);
    renderDiff(r);
    renderPerTag(r);
    showPack(r.pack);
  } catch (e) {
    if (seq === state.seq.corpus) $("figures").replaceChildren(el("p", { class: "error" }, e.message));
  } finally {
    $("corpus-view").classList.remove("stale");
    busy(-1);
  }
}

function renderDiff(r) {
  const box = $("diff-box");
  if (!r.edited) { box.replaceChildren(el("p", { class: "muted" }, "Edit a rule file: the READMEs the edit fixes, breaks or changes show here.")); return; }
  const c = r.counts;
  const summary = el("p", { id: "diff-counts" }, el("b", { class: "up" }, `${c.fixed} fixed`), " · ",
    el("b", { class: "down" }, `${c.broken} broken`), " · ", el("b", {}, `${c.changed} changed`));
  if (!r.diff.length) { box.replaceChildren(summary, el("p", { class: "muted" }, "the edit changes no README's tags")); return; }
  const head = ["", "README"].concat(r.gold ? ["gold"] : []).concat(["before", "after"]);
  const rows = r.diff.map((d) => el("tr", { class: "row-" + d.change, "data-id": d.id, onclick: () => pickDoc(d.id) },
    el("td", {}, el("span", { class: "badge " + d.change }, d.change)),
    el("td", {}, el("button", { type: "button", class: "link" }, d.id)),
    r.gold ? el("td", {}, tagList(d.gold)) : null,
    el("td", {}, tagList(d.before)), el("td", {}, tagList(d.after) + (d.error ? " (" + d.error + ")" : ""))));
  box.replaceChildren(summary, el("table", { id: "diff" }, el("thead", {}, el("tr", {}, head.map((h) => el("th", {}, h)))), el("tbody", {}, rows)));
}

function renderPerTag(r) {
  if (!r.per_tag.length) { $("per-tag").replaceChildren(el("p", { class: "muted" }, r.gold ? "no tags" : "needs --gold")); return; }
  const rows = r.per_tag.map((t) => {
    const b = t.before || {}, a = t.after;
    return el("tr", { class: t.delta_f1 ? "changed" : "" }, el("td", {}, t.name), el("td", { class: "n" }, String(t.tag)),
      el("td", { class: "n" }, `${b.tp ?? 0}/${b.fp ?? 0}/${b.fn ?? 0}`), el("td", { class: "n" }, fmt(b.precision)),
      el("td", { class: "n" }, fmt(b.recall)), el("td", { class: "n" }, fmt(b.f1)),
      el("td", { class: "n" }, a ? fmt(a.f1) : ""), el("td", { class: "n" }, a ? delta(b.f1 || 0, a.f1) : ""));
  });
  $("per-tag").replaceChildren(el("table", {}, el("thead", {}, el("tr", {},
    ["tag", "id", "tp/fp/fn", "P", "R", "F1", "F1 after", "Δ"].map((h) => el("th", {}, h)))), el("tbody", {}, rows)));
}

// ------------------------------------------------------------------ wiring

document.addEventListener("DOMContentLoaded", () => {
  const doc = $("doc");
  if (doc) doc.addEventListener("change", () => pickDoc(doc.value));
  $("paste-mode").addEventListener("click", () => {
    state.readmeId = null;
    if (doc) doc.value = "";
    $("readme-text").readOnly = false;
    $("readme-text").placeholder = "Paste a README here";
    $("readme-text").focus();
    refreshReadme();
  });
  $("readme-text").addEventListener("input", debounce(() => { if (!state.readmeId) refreshReadme(); }, 300));
  $("want").addEventListener("change", refreshReadme);
  $("readme-html").addEventListener("click", (ev) => {
    const span = ev.target.closest(".hl");
    if (span) showEvidence(span);
  });
  $("file").addEventListener("change", () => openFile($("file").value));
  $("rule-text").addEventListener("input", () => { updateButtons(); renderGutter([]); onEdit(); });
  $("rule-text").addEventListener("scroll", () => { $("gutter").scrollTop = $("rule-text").scrollTop; });
  $("rule-text").addEventListener("keydown", (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "s") { ev.preventDefault(); save(); }
    if (ev.key === "Tab") {  // YAML wants spaces
      ev.preventDefault();
      document.execCommand("insertText", false, "  ");
    }
  });
  $("save").addEventListener("click", save);
  $("revert").addEventListener("click", () => { $("rule-text").value = state.saved; runEdit(true); });
  window.addEventListener("beforeunload", (ev) => { if (dirty()) { ev.preventDefault(); ev.returnValue = ""; } });
  showPack(null);
  refreshCorpus();
});
