"""The home page's stock alerts: lots expiring within 30 days, expired stock, low stock."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cocktails.selectors import stock_alerts
from cocktails.services import lot_recall
from tests.cocktails.factories import LotFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _lot(lot_number: str, days: int, **extra):
    today = timezone.localdate()
    return LotFactory(
        lot_number=lot_number,
        received_on=today - datetime.timedelta(days=200),
        expiry_date=today + datetime.timedelta(days=days),
        **extra,
    )


def test_alerts_list_what_to_use_or_discard_soon_and_what_to_reorder():
    _lot("TODAY", 0)
    _lot("IN-30", 30)
    _lot("IN-31", 31)
    _lot("EXPIRED", -1)
    _lot("EMPTY", 5, quantity_left=0)
    lot_recall(lot=_lot("RECALLED", 5), reason="Notice")
    low = ProductFactory(name="Low", reorder_level=5)
    _lot("LOW-1", 200, product=low, quantity_received=4)
    ProductFactory(name="Withdrawn", reorder_level=5, is_active=False)

    alerts = stock_alerts(today=timezone.localdate())
    assert [lot.lot_number for lot in alerts.expiring] == ["TODAY", "IN-30"]
    assert [lot.lot_number for lot in alerts.expired] == ["EXPIRED"]
    low_names = {p.name for p in alerts.low_stock}
    assert "Low" in low_names and "Withdrawn" not in low_names


def test_a_product_whose_only_stock_has_expired_is_low():
    product = ProductFactory(name="Stale", reorder_level=1)
    _lot("OLD", -3, product=product, quantity_received=50)
    assert [p.name for p in stock_alerts(today=timezone.localdate()).low_stock] == ["Stale"]


def test_practitioners_and_the_manager_see_the_panel_receptionists_do_not(
    role_clients, receptionist_client
):
    _lot("SOON-1", 3)
    for role, client in role_clients.items():
        text = client.get(reverse("home")).text
        if client is receptionist_client:
            assert "Stock alerts" not in text, role
        else:
            assert "Stock alerts" in text and "SOON-1" in text and "Expires in 3 days" in text


def test_an_empty_panel_says_all_is_well(practitioner_client):
    product = ProductFactory(reorder_level=1)
    _lot("FAR", 300, product=product)
    text = practitioner_client.get(reverse("home")).text
    assert "Every lot is in date" in text


@pytest.mark.parametrize("lots", [1, 20])
def test_the_home_page_query_count_is_fixed(practitioner_client, django_assert_num_queries, lots):
    for n in range(lots):
        _lot(f"SOON-{n}", n % 40 - 5)
    # The whole home page: session read and refresh, user, roles, then every app's panels
    # (the treatments panel: 2).
    with django_assert_num_queries(13):
        practitioner_client.get(reverse("home"))
