"""Search keys for patients: what the list's search box matches against.

A receptionist on the phone hears "Lefèvre" and types "lefevre"; a practitioner types
"06 12 34 56 78" for a number stored as +33612345678. So each patient carries one normalised
``search_key`` (names without accents and in lower case, email, phone digits in international
and national form), and the query goes through the same normalisation. On PostgreSQL a
trigram GIN index on that column serves ``LIKE '%…%'`` and word-similarity lookups (see
migration 0005); on SQLite the same ``LIKE`` is a plain scan.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from django.conf import settings

_SPACES = re.compile(r"\s+")
# Latin letters that are letters of their own rather than a base letter with an accent, so
# Unicode decomposition leaves them whole: "Søndergaard" must be found by "sondergaard",
# and a Turkish dotless i by a plain i. Typographic apostrophes (U+2019, U+02BC) become the
# one on the keyboard.
_FOLDS = str.maketrans(
    {
        "ø": "o",
        "\u0131": "i",  # the Turkish dotless i
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "æ": "ae",
        "œ": "oe",
        "ß": "ss",
        "þ": "th",
        "\u2019": "'",
        "\u02bc": "'",
    }
)
# What joins the words of a compound last name: "Le Goff", "Martin-Dubois", "d'Angelo".
_NAME_JOINERS = re.compile(r"[\s\-']+")
# A caller writes "Dubois, Hélène" or "Dubois; Hélène": the punctuation only separates words.
_QUERY_SEPARATORS = re.compile(r"[,;]")
_NON_DIGITS = re.compile(r"\D")
_PHONE_LIKE = re.compile(r"^\+?[\d\s.\-()/]+$")
_FRENCH_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
# Fewer digits than this is more likely part of a name search than a phone number.
_MIN_PHONE_DIGITS = 4


def normalise(text: str) -> str:
    """Lower case, accents removed, spaces collapsed: "  Hélène  LEFÈVRE" -> "helene lefevre".

    Latin letters that do not decompose are transliterated as a caller spells them out:
    "Søndergaard" -> "sondergaard", "Łukasz" -> "lukasz", "Œuvray" -> "oeuvray".
    Letters outside the Latin script (Ελένη, 王芳, Алексей) keep their characters and are
    case-folded where the script has cases.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.casefold().translate(_FOLDS)).strip()


def phone_digits(number: object) -> list[str]:
    """The digit strings a person may type for a stored number: international and national."""
    if not number:
        return []
    raw = str(number)
    try:
        parsed = phonenumbers.parse(raw, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return [_NON_DIGITS.sub("", raw)]
    international = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return list(dict.fromkeys([_NON_DIGITS.sub("", international), _NON_DIGITS.sub("", national)]))


def build_search_key(
    *, first_name: str, last_name: str, email: str = "", phone: object = ""
) -> str:
    """The names, email and phone digits a search box matches against.

    A compound last name is also held written together ("le goff legoff"), because callers
    spell it out letter by letter and the receptionist types "legoff".
    """
    last = normalise(last_name)
    joined = _NAME_JOINERS.sub("", last)
    parts = [
        normalise(first_name),
        last,
        joined if joined != last else "",
        email.casefold(),
        *phone_digits(phone),
    ]
    return " ".join(part for part in parts if part)


@dataclass(frozen=True)
class ParsedQuery:
    """What the search box holds: a date of birth, a phone number, or words."""

    text: str
    date_of_birth: datetime.date | None = None
    digits: str = ""
    terms: tuple[str, ...] = ()


def parse_query(raw: str) -> ParsedQuery:
    text = raw.strip()
    for pattern, order in ((_FRENCH_DATE, (3, 2, 1)), (_ISO_DATE, (1, 2, 3))):
        match = pattern.match(text)
        if match:
            year, month, day = (int(match.group(i)) for i in order)
            try:
                return ParsedQuery(text=text, date_of_birth=datetime.date(year, month, day))
            except ValueError:
                break  # 31/02/1990 is no date: search it as text, which finds nothing.
    if _PHONE_LIKE.match(text):
        digits = _NON_DIGITS.sub("", text)
        if len(digits) >= _MIN_PHONE_DIGITS:
            return ParsedQuery(text=text, digits=digits)
    words = normalise(_QUERY_SEPARATORS.sub(" ", text))
    return ParsedQuery(text=text, terms=tuple(words.split()))
