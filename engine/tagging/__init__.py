"""Tagging: a document and a rule set into evidence (matching), evidence into
scores (scoring), scores into at most N tags (tagger); guard bounds the time."""
