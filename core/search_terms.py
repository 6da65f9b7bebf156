"""A search query as it may be kept or passed on: normalised (accents, case, spacing) and
never personal data. Shared by the search page (its result links) and popularity (counting).
"""

from __future__ import annotations

import re
import unicodedata

SEARCH_QUERY_MAX_LENGTH = 100
_READ_AT_MOST = 512

# "name [at] host", "name(at)host": an address spelled so that a form accepts it.
_EMAIL_SPELLED = re.compile(r"\S\s*[\[(]\s*at\s*[\])]\s*\S")
# A phone number: digits with spaces, dots, dashes, slashes, brackets and a leading +;
# it counts as one when it holds _PHONE_DIGITS digits or more ("5 4 3 2 1" does not).
_PHONE = re.compile(r"\+?\(?\d[\d\s().\-/]{4,}\d")
_PHONE_DIGITS = 7
_DIGIT_RUN = re.compile(r"\d{6,}")
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def search_normalise(text: str | None) -> str:
    """The query as it is counted: accents removed (NFKD), case folded, control characters
    gone, spaces collapsed, cut to the column's length; "" when there is nothing to count or
    the query looks like personal data (an e-mail address, a phone number, a long digit run).
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKD", text[:_READ_AT_MOST])
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()
    if not text or looks_personal(text):
        return ""
    return text[:SEARCH_QUERY_MAX_LENGTH].rstrip()


def looks_personal(text: str) -> bool:
    """An e-mail address, a phone number, or a run of digits long enough to be an account,
    card or ID number: never stored."""
    if "@" in text or "\uff20" in text or _EMAIL_SPELLED.search(text):
        return True
    if _DIGIT_RUN.search(text):
        return True
    return any(
        sum(c.isdigit() for c in match.group()) >= _PHONE_DIGITS for match in _PHONE.finditer(text)
    )
