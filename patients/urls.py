from __future__ import annotations

from django.urls import path

from patients.views import clinical, consents, photos, picker, records

app_name = "patients"

urlpatterns = [
    path("", records.patient_list, name="list"),
    path("new/", records.patient_create, name="create"),
    path("picker/", picker.patient_picker, name="picker"),
    path("<int:pk>/", records.patient_detail, name="detail"),
    path("<int:pk>/details/", records.patient_edit_contact, name="edit_contact"),
    path("<int:pk>/clinical/", records.patient_edit_clinical, name="edit_clinical"),
    path("<int:pk>/archive/", records.patient_archive, name="archive"),
    path("<int:pk>/unarchive/", records.patient_unarchive, name="unarchive"),
    path("<int:pk>/history/", records.patient_history, name="history"),
    path("<int:pk>/timeline/", records.patient_timeline_view, name="timeline"),
    path(
        "<int:patient_pk>/consultations/new/",
        clinical.consultation_create,
        name="consultation_create",
    ),
    path(
        "<int:patient_pk>/consultations/<int:pk>/",
        clinical.consultation_detail,
        name="consultation_detail",
    ),
    path(
        "<int:patient_pk>/consultations/<int:pk>/edit/",
        clinical.consultation_edit,
        name="consultation_edit",
    ),
    path(
        "<int:patient_pk>/contraindications/<int:pk>/resolve/",
        clinical.contraindication_resolve,
        name="contraindication_resolve",
    ),
    path("<int:patient_pk>/allergies/new/", clinical.allergy_add, name="allergy_add"),
    path(
        "<int:patient_pk>/allergies/<int:pk>/remove/",
        clinical.allergy_remove,
        name="allergy_remove",
    ),
    path("<int:patient_pk>/consents/new/", consents.consent_sign, name="consent_sign"),
    path("<int:patient_pk>/consents/<int:pk>/", consents.consent_detail, name="consent_detail"),
    path(
        "<int:patient_pk>/consents/<int:pk>/signature.png",
        consents.consent_signature,
        name="consent_signature",
    ),
    path(
        "<int:patient_pk>/consents/<int:pk>/withdraw/",
        consents.consent_withdraw,
        name="consent_withdraw",
    ),
    path("<int:patient_pk>/photos/", photos.photo_list, name="photo_list"),
    path("<int:patient_pk>/photos/new/", photos.photo_upload, name="photo_upload"),
    path("<int:patient_pk>/photos/compare/", photos.photo_compare, name="photo_compare"),
    path("<int:patient_pk>/photos/<int:pk>/", photos.photo_file, name="photo_file"),
    path("<int:patient_pk>/photos/<int:pk>/remove/", photos.photo_remove, name="photo_remove"),
]
