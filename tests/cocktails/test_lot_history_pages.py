"""A lot's full history: every change since its receipt, newest first, a page at a time."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cocktails.models import Lot
from cocktails.services import lot_correct, lot_recall
from tests.cocktails.factories import LotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lot() -> Lot:
    return LotFactory(lot_number="HA-100", quantity_received=10)


def _url(lot: Lot, page: int | str | None = None) -> str:
    url = reverse("cocktails:catalogue:lot_history", args=[lot.pk])
    return f"{url}?page={page}" if page is not None else url


def _corrections(lot: Lot, by, count: int) -> None:
    for n in range(count):
        lot_correct(
            lot=lot,
            lot_number=f"HA-{n + 1:03d}",
            expiry_date=lot.expiry_date,
            received_on=lot.received_on,
            quantity=lot.quantity_received,
            reason=f"Correction {n + 1}",
            by=by,
        )


def test_the_lot_page_links_to_its_full_history(practitioner_client, lot):
    page = practitioner_client.get(reverse("cocktails:catalogue:lot_detail", args=[lot.pk]))
    assert _url(lot) in page.text


def test_every_change_is_listed_a_page_at_a_time_newest_first(practitioner_client, admin_user, lot):
    _corrections(lot, admin_user, 55)
    lot_recall(lot=lot, reason="Supplier notice 2026-14")
    first = practitioner_client.get(_url(lot))
    assert first.status_code == 200
    changes = first.context["changes"]
    assert len(changes) == 50
    assert [c.what for c in changes[:2]] == ["Recalled", "Corrected"]
    assert changes[1].reason == "Correction 55"
    # The last of the page is compared with the version on the next page.
    assert [(f.label, f.old, f.new) for f in changes[-1].fields] == [
        ("Lot number", "HA-006", "HA-007")
    ]
    assert "Page 1 of 2" in first.text and "?page=2" in first.text

    second = practitioner_client.get(_url(lot, 2))
    changes = second.context["changes"]
    assert [c.reason for c in changes[:-1]] == [f"Correction {n}" for n in range(6, 0, -1)]
    assert changes[-1].what == "Received"
    assert [(f.label, f.old, f.new) for f in changes[-2].fields] == [
        ("Lot number", "HA-100", "HA-001")
    ]
    assert "Page 2 of 2" in second.text and "?page=1" in second.text


def test_a_lot_with_few_changes_has_one_page_and_no_pager(practitioner_client, admin_user, lot):
    _corrections(lot, admin_user, 2)
    response = practitioner_client.get(_url(lot))
    assert [c.what for c in response.context["changes"]] == ["Corrected", "Corrected", "Received"]
    assert "History pages" not in response.text
    assert "Back to the lot" in response.text


@pytest.mark.parametrize("page", ["99", "0", "last", "x"])
def test_a_page_out_of_range_shows_a_page_not_an_error(practitioner_client, admin_user, lot, page):
    _corrections(lot, admin_user, 55)
    response = practitioner_client.get(_url(lot, page))
    assert response.status_code == 200
    assert response.context["changes"]


def test_a_missing_lot_has_no_history_page(practitioner_client):
    assert (
        practitioner_client.get(reverse("cocktails:catalogue:lot_history", args=[9999])).status_code
        == 404
    )


@pytest.mark.parametrize(("corrections", "page"), [(3, 1), (120, 2)])
def test_the_history_page_query_count_is_fixed_however_long_the_history(
    practitioner_client, admin_user, lot, django_assert_num_queries, corrections, page
):
    _corrections(lot, admin_user, corrections)
    practitioner_client.get(_url(lot))  # the session's idle refresh is written once a minute
    # session, user, roles, lot, versions counted, one page of versions
    with django_assert_num_queries(6):
        response = practitioner_client.get(_url(lot, page))
    assert len(response.context["changes"]) == min(corrections + 1, 50)
