"""The shared helpers: email and PDF against a real SMTP server and real WeasyPrint output,
cutting sequences into runs, and links reversed once for many primary keys."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.mail import get_connection
from django.urls import reverse, set_script_prefix
from pypdf import PdfReader

from clinic.lib.dates import years_after
from clinic.lib.email import Attachment, email_build
from clinic.lib.paging import before_param, newest_page
from clinic.lib.pdf import pdf_render
from clinic.lib.runs import consecutive_runs
from clinic.lib.urls import url_for_pk
from clinic.settings import BASE_DIR


@pytest.fixture
def test_templates(settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "DIRS": [BASE_DIR / "tests" / "templates", *settings.TEMPLATES[0]["DIRS"]],
        }
    ]


def test_email_has_text_and_html_parts_and_attachment_through_real_smtp(
    test_templates, smtp_server
):
    message = email_build(
        name="sample",
        to=["patient@example.com"],
        context={"name": "Zoë Ørsted"},
        attachments=[
            Attachment("visit.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
        ],
    )
    assert get_connection().send_messages([message]) == 1
    [received] = smtp_server.messages
    assert received["To"] == "patient@example.com"
    assert received["Subject"] == "Your appointment — Mesoclinic"
    assert "Zoë Ørsted" in received.get_body(("plain",)).get_content()
    assert "<strong>Zoë Ørsted</strong>" in received.get_body(("html",)).get_content()
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "visit.ics"
    assert attachment.get_content_type() == "text/calendar"


def test_email_is_rendered_in_the_recipients_language(test_templates):
    # "January" is in Django's own French catalogue, so this needs no project translation.
    french = email_build(name="sample", to=["a@example.com"], context={"name": "A"}, language="fr")
    english = email_build(name="sample", to=["a@example.com"], context={"name": "A"}, language="en")
    assert "janvier" in french.body
    assert "January" in english.body


def test_pdf_renders_with_static_logo_and_never_fetches_the_network(test_templates):
    data = pdf_render(template="pdf/sample.html", context={"patient": "Élodie Dupré 山田"})
    reader = PdfReader(io.BytesIO(data))
    text = reader.pages[0].extract_text()
    assert "Mesoclinic" in text
    assert "Élodie Dupré" in text
    assert "山田" in text
    assert "Page 1 of 1" in text


@pytest.mark.parametrize(
    ("values", "step", "runs"),
    [
        ([], 1, []),
        ([4], 1, [[4]]),
        ([1, 2, 3, 5, 7, 8], 1, [[1, 2, 3], [5], [7, 8]]),
        (
            [datetime.date(2026, 3, 1), datetime.date(2026, 3, 2), datetime.date(2026, 3, 9)],
            datetime.timedelta(days=1),
            [[datetime.date(2026, 3, 1), datetime.date(2026, 3, 2)], [datetime.date(2026, 3, 9)]],
        ),
    ],
)
def test_consecutive_runs_cut_where_a_value_does_not_follow_by_the_step(values, step, runs):
    assert consecutive_runs(values, step) == runs


@pytest.mark.parametrize(
    "viewname",
    ["scheduling:appointment", "patients:detail", "treatments:plan_detail", "patients:history"],
)
def test_url_for_pk_gives_what_reverse_gives(viewname):
    link = url_for_pk(viewname)
    for pk in (1, 7, 10, 918273645, 2**62):
        assert link(pk) == reverse(viewname, args=[pk])


def test_url_for_pk_keeps_the_script_prefix():
    path = reverse("patients:detail", args=[42])
    set_script_prefix("/clinic-a/")
    try:
        assert url_for_pk("patients:detail")(42) == "/clinic-a" + path
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (datetime.date(2026, 11, 27), 2, datetime.date(2028, 11, 27)),
        (datetime.date(2028, 2, 29), 2, datetime.date(2030, 2, 28)),
        (datetime.date(2028, 2, 29), 4, datetime.date(2032, 2, 29)),
        (datetime.date(9995, 6, 1), 10, datetime.date.max),
    ],
)
def test_years_after_keeps_the_day_and_stays_within_pythons_dates(day, years, expected):
    assert years_after(day, years) == expected


def test_a_pages_before_reads_an_iso_moment_in_the_clinics_time_or_nothing():
    assert before_param(None) is None
    assert before_param("last week") is None
    naive = before_param("2026-03-29T02:30:00")  # the night the clocks go forward in Paris
    assert naive is not None and naive.utcoffset() is not None
    assert before_param("2026-07-01T09:00:00 02:00") == datetime.datetime(
        2026, 7, 1, 7, tzinfo=datetime.UTC
    )
    # Moments at the ends of the calendar that no time zone conversion survives.
    assert before_param("0001-01-01T00:00:00+14:00") is None
    assert before_param("9999-12-31T23:59:59-12:00") is None


def test_a_page_read_newest_first_ends_before_the_moment_it_would_split():
    moments = [10, 9, 8, 8, 8, 7]
    shown, older = newest_page(moments, limit=3, when=lambda m: m)
    assert (shown, older) == ([10, 9], 9)
    assert newest_page(moments, limit=6, when=lambda m: m) == (moments, None)
    # A moment that fills the page on its own is cut: nothing else could make progress.
    assert newest_page([8, 8, 8, 8], limit=3, when=lambda m: m) == ([8, 8, 8], 8)
