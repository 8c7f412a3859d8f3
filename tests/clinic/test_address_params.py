"""What a page reads straight from its address (``?patient=``, ``?q=``, ``?page=``) and a
few posted fields outside a form: a typed or tampered value shows the page's default, never
a 500. Each case here answered 500 before clinic/lib/params.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from clinic.lib.params import MAX_ID, id_param, int_param, text_param

pytestmark = pytest.mark.django_db

# "²" is a digit to str.isdigit but no number to int(); NUL is refused by PostgreSQL in text;
# a number past a big integer overflows an id or an offset.
SUPERSCRIPT, NUL, HUGE = "²", "\x00", "99999999999999999999"

CASES = [
    ("cocktails:cocktail_list", "q", NUL),
    ("cocktails:cocktail_create", "patient", SUPERSCRIPT),
    ("cocktails:cocktail_create", "template", SUPERSCRIPT),
    ("cocktails:catalogue:lot_receive", "product", SUPERSCRIPT),
    ("scheduling:week", "who", SUPERSCRIPT),
    ("scheduling:day", "who", SUPERSCRIPT),
    ("scheduling:book", "patient", SUPERSCRIPT),
    ("scheduling:book", "practitioner", SUPERSCRIPT),
    ("scheduling:book", "type", SUPERSCRIPT),
    ("scheduling:series", "patient", SUPERSCRIPT),
    ("scheduling:series", "practitioner", SUPERSCRIPT),
    ("scheduling:series", "plan", SUPERSCRIPT),
    ("scheduling:outbox", "page", HUGE),
    ("scheduling:outbox", "patient", HUGE),
    ("treatments:plan_create", "q", NUL),
    ("treatments:plan_create", "patient", SUPERSCRIPT),
    ("treatments:plan_create", "patient", HUGE),
]


@pytest.mark.parametrize(("name", "key", "value"), CASES)
def test_a_tampered_address_shows_the_page(admin_client, practitioner, name, key, value):
    # With a practitioner on staff: the calendars only read `who` against someone.
    response = admin_client.get(reverse(name), {key: value})
    assert response.status_code in (200, 404), response.status_code


def test_a_number_is_ascii_digits_within_a_big_integer():
    assert id_param("42") == 42
    assert id_param(42) == 42
    for typed in ("", None, "0", "-3", "4.0", " 7", SUPERSCRIPT, "٣", str(MAX_ID + 1)):
        assert id_param(typed) is None, typed
    assert int_param("0") == 0
    assert int_param("12", maximum=10) is None


def test_search_words_lose_nul_characters_and_spaces():
    assert text_param(f"  Lef{NUL}èvre ") == "Lefèvre"
    assert text_param(None) == ""
    assert len(text_param("x" * 500)) == 100
