// Scheduling pages: place calendar items, fill times from suggestion buttons, and open the
// appointment dialog. Served from static/ so the Content-Security-Policy can forbid inline code.
(function () {
  "use strict";

  // Calendar items carry their position as data attributes (percentages of the visible hours)
  // and get it here, for the first page and for every fragment htmx swaps in.
  function place(root) {
    root.querySelectorAll(".cal[data-hours]").forEach(function (cal) {
      cal.style.setProperty("--cal-hours", cal.dataset.hours);
    });
    root.querySelectorAll("[data-top]").forEach(function (item) {
      item.style.top = item.dataset.top + "%";
      if (item.dataset.height) { item.style.height = item.dataset.height + "%"; }
      if (item.dataset.width) {
        item.style.left = item.dataset.left + "%";
        item.style.width = item.dataset.width + "%";
      }
    });
  }
  if (window.htmx) { window.htmx.onLoad(place); } else { place(document.body); }

  // Buttons with data-fill-* put a suggested day and time (or a course's count and interval)
  // into their form, then announce the change so free times and checks refresh.
  var FILLS = { fillDay: "day", fillTime: "time", fillCount: "count", fillInterval: "interval_days" };
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-fill-day], [data-fill-time], [data-fill-count]");
    if (!button) { return; }
    var form = button.closest("form");
    if (!form) { return; }
    var prefix = button.dataset.fillPrefix ? button.dataset.fillPrefix + "-" : "";
    var changed = [];
    Object.keys(FILLS).forEach(function (key) {
      var value = button.dataset[key];
      var input = value === undefined ? null : form.elements.namedItem(prefix + FILLS[key]);
      if (input && input.value !== value) {
        input.value = value;
        changed.push(input);
      }
    });
    button.parentElement.querySelectorAll(".active").forEach(function (other) { other.classList.remove("active"); });
    button.classList.add("active");
    changed.forEach(function (input) { input.dispatchEvent(new Event("change", { bubbles: true })); });
  });

  // Appointment details open in a dialog once htmx has put them in it.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "appointment-modal-body" && window.bootstrap) {
      window.bootstrap.Modal.getOrCreateInstance(document.getElementById("appointment-modal")).show();
    }
  });
  document.addEventListener("hidden.bs.modal", function (event) {
    var body = event.target.querySelector("#appointment-modal-body");
    if (body) { body.innerHTML = ""; }
  });

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) { event.target.select(); }
  });
})();
