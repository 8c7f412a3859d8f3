// Site-wide behaviour. Served from static/ so the Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";
  // Close flash messages after a while; errors stay until dismissed.
  document.querySelectorAll(".messages .alert-success, .messages .alert-info").forEach(function (el) {
    window.setTimeout(function () {
      if (window.bootstrap && document.body.contains(el)) {
        window.bootstrap.Alert.getOrCreateInstance(el).close();
      }
    }, 6000);
  });
  // The patient picker sits inside the form it fills (a booking, a cocktail): Enter in its
  // search searches at once instead of submitting that form before a patient is picked.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (
      event.key === "Enter" &&
      !event.isComposing &&
      target.matches &&
      target.matches(".patient-picker input[type=search]")
    ) {
      event.preventDefault();
      target.dispatchEvent(new Event("search"));
    }
  });
  // A table wider than its box scrolls sideways, and only a focused box scrolls by keyboard
  // (WCAG 2.1.1): while it overflows, the box is a region in the tab order, named after the
  // section it belongs to (not the same name: two landmarks would then be alike). Checked
  // again when the window is resized or htmx swaps content in.
  var SCROLL_REGION = ["tabindex", "role", "aria-label", "data-scroll-region"];
  function reachScrollingTables() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth;
      if (scrolls && !box.hasAttribute("data-scroll-region")) {
        var section = box.closest("[aria-labelledby]");
        var title = section && document.getElementById(section.getAttribute("aria-labelledby"));
        box.setAttribute("data-scroll-region", "");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", (title ? title.textContent.trim() + ": " : "") + "table, scrolls sideways");
      } else if (!scrolls && box.hasAttribute("data-scroll-region")) {
        SCROLL_REGION.forEach(function (name) { box.removeAttribute(name); });
      }
    });
  }
  var resizing = false;
  window.addEventListener("resize", function () {
    if (!resizing) {
      resizing = true;
      window.requestAnimationFrame(function () { resizing = false; reachScrollingTables(); });
    }
  });
  document.addEventListener("htmx:afterSettle", reachScrollingTables);
  reachScrollingTables();
  // Any element with data-confirm asks before its form is submitted.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
