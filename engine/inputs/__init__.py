"""Inputs: README files, directories, JSONL lines and stdin, read into text
(decoded, capped, binary refused) or into error items; never raises on bad input."""
