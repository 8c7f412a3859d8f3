// The cocktail builder: small conveniences on top of the server-rendered rows (htmx adds and
// removes rows; the server checks everything). Served from static/ for the strict CSP.
(function () {
  "use strict";

  function selectedOption(select) {
    return select && select.selectedIndex >= 0 ? select.options[select.selectedIndex] : null;
  }

  // Lots are chosen for a patient's cocktail, never for a clinic template.
  function forPatient(row) {
    var form = row.closest("form");
    // The patient picker's hidden input (empty until a patient is picked).
    var patient = form && form.querySelector("input[type=hidden][name=patient]");
    return Boolean(form && (form.getAttribute("data-patient-cocktail") === "1" || (patient && patient.value)));
  }

  // Offer only the lots of the chosen product; an ingredient has no lot.
  function syncLots(row) {
    var component = row.querySelector("[data-component]");
    var lot = row.querySelector("[data-lot]");
    var lotField = row.querySelector(".lot-field");
    if (!component || !lot || !lotField) {
      return;
    }
    var value = component.value;
    var isProduct = value.indexOf("product:") === 0;
    lotField.classList.toggle("d-none", !isProduct || !forPatient(row));
    Array.prototype.forEach.call(lot.options, function (option) {
      var product = option.getAttribute("data-product");
      option.hidden = Boolean(product) && product !== value;
    });
    var chosen = selectedOption(lot);
    if (chosen && chosen.hidden) {
      lot.value = "";
    }
  }

  function syncAll(root) {
    (root || document).querySelectorAll(".component-row").forEach(syncLots);
  }

  // The picker says when a patient is picked or cleared (after its htmx swap).
  document.body.addEventListener("patient-changed", function () {
    syncAll(document);
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches || !target.matches("[data-component]")) {
      return;
    }
    var row = target.closest(".component-row");
    var unit = row && row.querySelector("[data-unit-select]");
    var option = selectedOption(target);
    // The natural unit of what was chosen: ml for a product, the ingredient's own unit.
    if (unit && option && option.getAttribute("data-unit")) {
      unit.value = option.getAttribute("data-unit");
    }
    if (row) {
      syncLots(row);
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    syncAll(event.target);
  });
  syncAll(document);
})();
