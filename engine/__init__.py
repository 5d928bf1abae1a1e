"""repotag: tag software READMEs from a fixed tag list, with reasons.

    from engine import Tagger
    result = Tagger.default().tag(readme_text)
    result.tags, result.scores, result.evidence
"""
__version__ = "0.1.0"
__all__ = ["Tagger", "TagResult", "__version__"]


def __getattr__(name):
    # Lazy, so `repotag --help` and `import engine.inputs` stay cheap.
    if name in ("Tagger", "TagResult"):
        from .tagging import tagger

        return getattr(tagger, name)
    raise AttributeError(name)
