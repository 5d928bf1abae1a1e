"""Case folding shared by the document model, the keyword matcher and the
regex prefilter: all three must agree on what "the same letters" means."""
from __future__ import annotations

# Characters that re.IGNORECASE equates with an ASCII letter although
# str.lower() does not turn them into it (dotless ı, long ſ, İ whose lower case
# is two characters; the Kelvin sign lowers to k already).
_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_FOLD_CHARS = "\u0130\u0131\u017f\u212a"


def fold_special(text: str) -> str:
    """The text with the few letters re.IGNORECASE takes for ASCII ones
    although str.lower() does not make them so turned into those letters."""
    if any(c in text for c in _FOLD_CHARS):
        text = text.translate(_FOLD)
    return text


def fold(text: str) -> str:
    """The text literals are looked up in: case-folded the way re.IGNORECASE
    compares ASCII letters."""
    return fold_special(text).lower()
