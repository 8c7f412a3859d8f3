// Patient pages: the screening questionnaire, consent texts and the signature pad.
// Loaded as a file so the Content-Security-Policy can forbid inline scripts.
(function () {
  "use strict";

  // Screening: show a question's severity and note only once it is answered "yes".
  document.querySelectorAll(".screening-row").forEach(function (row) {
    var sync = function () {
      var yes = row.querySelector('input[value="yes"]');
      row.classList.toggle("is-yes", Boolean(yes && yes.checked));
    };
    row.addEventListener("change", sync);
    sync();
  });
  document.querySelectorAll(".consultation-form").forEach(function (form) {
    form.classList.add("js-screening");
  });

  // Consent: show the body of the text being signed.
  var consentForm = document.querySelector("[data-consent-form]");
  if (consentForm) {
    var showText = function () {
      var chosen = consentForm.querySelector('input[name="text"]:checked');
      consentForm.querySelectorAll("[data-consent-text]").forEach(function (el) {
        el.hidden = !chosen || el.getAttribute("data-consent-text") !== chosen.value;
      });
    };
    consentForm.addEventListener("change", showText);
    showText();
  }

  // Signature pad: pointer events cover mouse, finger and stylus alike.
  document.querySelectorAll("[data-signature-pad]").forEach(function (canvas) {
    var form = canvas.closest("form");
    var output = form.querySelector('input[name="signature"]');
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111827";

    var point = function (event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height),
      };
    };
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
      drawn = true;
      event.preventDefault();
    });
    var stop = function () {
      if (!drawing) return;
      drawing = false;
      if (drawn) output.value = canvas.toDataURL("image/png");
    };
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    form.querySelector("[data-signature-clear]").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      output.value = "";
    });
  });
})();
