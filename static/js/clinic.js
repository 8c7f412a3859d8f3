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
  // Any element with data-confirm asks before its form is submitted.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
