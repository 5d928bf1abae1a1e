"""`repotag serve`: the rule workbench in the browser (optional extra `serve`).

workbench.py holds what the page does (load the packs with an unsaved edit,
lint, explain, tag the corpus, compare with the saved rules, save), with no
web framework in it; files.py confines file access to the packs; edits.py
writes an edit back byte-for-byte; web.py is the Starlette app and guard.py its
request checks; page.py renders the page; static/ holds its script and style.
"""
