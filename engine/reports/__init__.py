"""Reports over tagging results: explain one README, evaluate against gold,
audit a corpus, run rule examples; render.py draws tables and pages."""
