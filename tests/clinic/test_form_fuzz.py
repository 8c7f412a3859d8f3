"""Bad input never breaks the app: generated data posted to every form, as every role.

For each URL in the access table (tests/access.py) and each role allowed on it, the page is
fetched, every form on it is read from the HTML (its action, method and fields), and
hypothesis fills the fields with generated values: text of every kind, numbers, dates,
option values that exist and ones that don't, stray files. The answer must never be a
server error, and a form that comes back with errors must have saved nothing. Query strings
of pages with GET forms (lists, searches, calendars) get the same treatment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from types import SimpleNamespace
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinic.roles import Role
from tests.access import RULES, populate_world
from tests.clinic.test_url_access import APP_URLS

pytestmark = pytest.mark.django_db

EXAMPLES = 4
# Tables whose rows a rejected form must leave alone: the project's own, minus the audit log
# (written on every page view) and change history (written with the rows it follows).
WATCHED_APPS = {"patients", "cocktails", "treatments", "scheduling"}
ERROR_MARKERS = ("is-invalid", "invalid-feedback", "alert-danger", "errorlist")


@dataclass
class Field:
    name: str
    kind: str  # text, number, date, time, datetime-local, email, checkbox, select, file, hidden…
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, Field] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            action = urljoin(self.page_url, a.get("action") or self.page_url)
            self._form = Form(action=action, method=(a.get("method") or "get").lower())
            self.forms.append(self._form)
        elif self._form is None or not a.get("name") or a["name"] == "csrfmiddlewaretoken":
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"submit", "button", "image", "reset"}:
                return
            known = self._form.fields.get(a["name"])
            if known and kind == "radio":
                known.options.append(a.get("value", ""))
                return
            self._form.fields[a["name"]] = Field(
                a["name"], kind, a.get("value", ""), [a.get("value", "")] if kind == "radio" else []
            )
        elif tag == "textarea":
            self._form.fields[a["name"]] = Field(a["name"], "text")
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._form.fields[a["name"]] = self._select
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_on(html: str, page_url: str) -> list[Form]:
    parser = _FormParser(page_url)
    parser.feed(html)
    # Only this site's own forms; a path is enough for the test client.
    return [form for form in parser.forms if urlsplit(form.action).netloc in {"", "testserver"}]


nasty_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "1e309",
            "NaN",
            "31/02/2026",
            "2026-13-45",
            "9999-12-31",
            "0001-01-01",
            "25:61",
            "<script>alert(1)</script>",
            "'; DROP TABLE patients_patient; --",
            "Ñoño 山田 Ελένη",
            "a" * 5000,
            "\x00",
            "@",
            "+33 6",
            # A digit to str.isdigit but no number to int(); past a big integer; a moment
            # no time zone conversion survives.
            "²",
            "99999999999999999999",
            "0001-01-01T00:00:00+14:00",
        ]
    ),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.dates().map(lambda d: d.isoformat()),
)


def value_for(form_field: Field) -> st.SearchStrategy:
    if form_field.kind in {"select", "radio"}:
        return st.one_of(st.sampled_from(form_field.options or [""]), nasty_text)
    if form_field.kind == "checkbox":
        return st.sampled_from([None, form_field.value or "on", "yes", ""])
    if form_field.kind == "hidden":
        return st.one_of(st.just(form_field.value), nasty_text)
    if form_field.kind == "file":
        return st.binary(max_size=2048).map(
            lambda data: SimpleUploadedFile("upload.jpg", data, content_type="image/jpeg")
        )
    return nasty_text


def payloads(form: Form) -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {name: value_for(form_field) for name, form_field in form.fields.items()}
    )


def watched_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in WATCHED_APPS and not model.__name__.startswith("Historical")
    }


@pytest.fixture
def sample_world(admin_user, practitioner, other_practitioner, receptionist):
    world = SimpleNamespace(
        admin=admin_user,
        practitioner=practitioner,
        other_practitioner=other_practitioner,
        receptionist=receptionist,
    )
    populate_world(world)
    return world


def _allowed(name: str) -> list[Role]:
    rule = RULES[name]
    return [role for role in Role if rule.expected(role) == 200]


CASES = [(name, role) for name in APP_URLS for role in _allowed(name)]


@pytest.mark.parametrize(("name", "role"), CASES)
def test_generated_input_never_breaks_a_form(role_clients, sample_world, name, role):
    client = role_clients[role]
    rule = RULES[name]
    url = reverse(name, kwargs=rule.kwargs(sample_world) if rule.kwargs else None)
    page = client.get(url)
    if page.status_code != 200 or not page["Content-Type"].startswith("text/html"):
        return
    # The sidebar's sign-out form would end the session before the page's own forms.
    signed_out = reverse("logout")
    for form in forms_on(page.content.decode(), url):
        if urlsplit(form.action).path != signed_out:
            _fuzz(client, form)


def _fuzz(client, form: Form) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=payloads(form))
    def check(data: dict) -> None:
        payload = {key: value for key, value in data.items() if value is not None}
        before = watched_counts() if form.method == "post" else None
        if form.method == "post":
            response = client.post(form.action, payload)
        else:
            response = client.get(form.action, payload)
        assert response.status_code < 500, f"{form.method.upper()} {form.action} {payload!r}"
        # A form may answer with a streamed file (a CSV export): read it whole.
        body = b"".join(response.streaming_content) if response.streaming else response.content
        rejected = response.status_code in {200, 400, 422} and any(
            marker in body.decode(errors="replace") for marker in ERROR_MARKERS
        )
        if before is not None and rejected and "HX-Trigger" not in response:
            assert watched_counts() == before, f"a rejected form saved rows: {form.action}"

    check()
