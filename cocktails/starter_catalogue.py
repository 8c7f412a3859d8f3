"""The ingredients a new clinic starts with (from shared/DOMAIN.md, "Cocktails").

Plain data, no model code, so the data migration that loads it stays valid as models change.
Ranges are the usual concentration in the finished syringe; they are sensible starting points
that a clinic manager should check against the products the clinic actually buys.
"""

from __future__ import annotations

# (name, category, unit, usual_min, usual_max, notes)
STARTER_INGREDIENTS: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "Hyaluronic acid",
        "hyaluronic_acid",
        "mg/ml",
        "2",
        "20",
        "Non-cross-linked: hydration and skin quality, not volume.",
    ),
    ("Vitamin A", "vitamin", "mg/ml", "0.1", "1", "Retinol: cell renewal."),
    ("Vitamin C", "vitamin", "mg/ml", "10", "100", "Ascorbic acid: collagen synthesis, radiance."),
    ("Vitamin E", "vitamin", "mg/ml", "0.5", "5", "Tocopherol: antioxidant."),
    ("Vitamin B complex", "vitamin", "mg/ml", "1", "20", "B vitamins: cell metabolism."),
    ("Biotin", "vitamin", "mg/ml", "0.5", "5", "Vitamin B7: hair and nails."),
    ("Zinc", "mineral", "mg/ml", "0.1", "1", "Hair follicles, wound healing."),
    ("Magnesium", "mineral", "mg/ml", "1", "10", "Cell metabolism."),
    ("Organic silicon", "mineral", "%", "0.1", "0.5", "Firmness; structure of the dermis."),
    ("Amino acids", "amino_acid", "mg/ml", "1", "20", "Building blocks of collagen and elastin."),
    ("Copper peptides", "peptide", "mg/ml", "0.1", "2", "GHK-Cu: repair, hair growth."),
    ("Biomimetic peptides", "peptide", "mg/ml", "0.05", "1", "Signal peptides: firmness."),
    ("Ginseng", "plant_extract", "mg/ml", "1", "10", "Extract: tonic, microcirculation."),
    ("Green tea", "plant_extract", "mg/ml", "1", "10", "Extract: antioxidant, drainage."),
    ("Ginkgo biloba", "plant_extract", "mg/ml", "1", "10", "Extract: microcirculation."),
    ("Centella asiatica", "plant_extract", "mg/ml", "1", "5", "Extract: scarring, cellulite."),
    ("Hyaluronidase", "enzyme", "IU/ml", "15", "150", "Breaks down hyaluronic acid."),
    ("Collagenase", "enzyme", "IU/ml", "50", "500", "Breaks down fibrous septa and scar tissue."),
    ("Phosphatidylcholine", "lipolytic", "mg/ml", "25", "50", "Body work only: dissolves fat."),
    ("Deoxycholate", "lipolytic", "mg/ml", "2", "10", "Body work only: dissolves fat."),
    ("Lidocaine", "anaesthetic", "%", "0.1", "1", "Local anaesthetic, added for comfort."),
)
