"""The main navigation: each entry names the capability it needs, so menus follow roles."""

from __future__ import annotations

from dataclasses import dataclass

from clinic.roles import Capability


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    capability: Capability
    # The URL namespace that marks this entry active (for example "patients").
    section: str


# Apps add their entries here as their pages land.
NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Home", "home", "house", Capability.USE_APP, "home"),
    NavItem("Patients", "patients:list", "people", Capability.VIEW_PATIENTS, "patients"),
    NavItem(
        "Treatments", "treatments:today", "clipboard2-pulse", Capability.VIEW_CLINICAL, "treatments"
    ),
    NavItem(
        "Appointments", "scheduling:today", "calendar3", Capability.BOOK_APPOINTMENTS, "scheduling"
    ),
    NavItem(
        "Cocktails", "cocktails:cocktail_list", "eyedropper", Capability.VIEW_CLINICAL, "cocktails"
    ),
    NavItem(
        "Catalogue & stock",
        "cocktails:catalogue:ingredient_list",
        "box-seam",
        Capability.VIEW_CATALOGUE,
        "cocktails:catalogue",
    ),
    NavItem(
        "Exports",
        "treatments:exports:list",
        "file-earmark-zip",
        Capability.BULK_EXPORT,
        "treatments:exports",
    ),
    NavItem("Reports", "reports:report", "bar-chart-line", Capability.BULK_EXPORT, "reports"),
    NavItem(
        "Email switches",
        "scheduling:email_switches:list",
        "toggles",
        Capability.MANAGE_STAFF,
        "scheduling:email_switches",
    ),
    NavItem("Staff", "staff:list", "person-badge", Capability.MANAGE_STAFF, "staff"),
)
