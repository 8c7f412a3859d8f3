// Treatment pages: the injection map and the session log's tables, the plan form's defaults.
// Served from static/ so the Content-Security-Policy can forbid inline code. Everything here
// is a convenience over plain forms: the sites table can be filled by keyboard alone.
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";

  function rowsOf(kind) {
    var body = document.querySelector('[data-rows="' + kind + '"]');
    return body ? Array.prototype.slice.call(body.querySelectorAll('[data-row="' + kind + '"]')) : [];
  }

  function keptRows(kind) {
    return rowsOf(kind).filter(function (row) { return !row.hidden; });
  }

  function field(row, name) {
    return row.querySelector('[data-field="' + name + '"]');
  }

  function addRow(kind) {
    var body = document.querySelector('[data-rows="' + kind + '"]');
    var template = document.querySelector('template[data-row-template="' + kind + '"]');
    var total = document.querySelector('input[name="' + kind + '-TOTAL_FORMS"]');
    if (!body || !template || !total) { return null; }
    var index = parseInt(total.value, 10) || 0;
    body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
    total.value = String(index + 1);
    var note = document.querySelector('[data-empty-note="' + kind + '"]');
    if (note) { note.textContent = ""; }
    return body.lastElementChild;
  }

  // --- The injection map -------------------------------------------------------------------

  function zoneElement(zone) {
    return zone ? document.querySelector('[data-map-editor] [data-zone="' + zone + '"]') : null;
  }

  function diagramOfZone(zone) {
    var element = zoneElement(zone);
    var svg = element ? element.closest("[data-map-editor]") : null;
    return svg ? svg.dataset.diagram : "";
  }

  function nearestZone(svg, x, y) {
    var best = null;
    var bestDistance = Infinity;
    svg.querySelectorAll("[data-zone]").forEach(function (element) {
      var dx = parseFloat(element.dataset.ax) - x;
      var dy = parseFloat(element.dataset.ay) - y;
      var distance = dx * dx + dy * dy;
      if (distance < bestDistance) { bestDistance = distance; best = element.dataset.zone; }
    });
    return best || "";
  }

  function marker(svg, number, x, y, placed) {
    var group = document.createElementNS(SVG_NS, "g");
    group.setAttribute("class", "map-point" + (placed ? "" : " is-anchored"));
    group.dataset.index = String(number);
    var circle = document.createElementNS(SVG_NS, "circle");
    circle.setAttribute("cx", x.toFixed(1));
    circle.setAttribute("cy", y.toFixed(1));
    circle.setAttribute("r", "10");
    circle.setAttribute("fill", placed ? "#0f766e" : "#ffffff");
    circle.setAttribute("stroke", placed ? "#ffffff" : "#0f766e");
    circle.setAttribute("stroke-width", "2");
    if (!placed) { circle.setAttribute("stroke-dasharray", "3 2"); }
    var label = document.createElementNS(SVG_NS, "text");
    label.setAttribute("x", x.toFixed(1));
    label.setAttribute("y", y.toFixed(1));
    label.setAttribute("dy", "3.6");
    label.setAttribute("font-size", "10.5");
    label.setAttribute("font-weight", "700");
    label.setAttribute("text-anchor", "middle");
    label.setAttribute("font-family", "system-ui, sans-serif");
    label.setAttribute("fill", placed ? "#ffffff" : "#0f766e");
    label.textContent = String(number);
    group.appendChild(circle);
    group.appendChild(label);
    svg.querySelector(".map-points").appendChild(group);
  }

  // Number the sites in table order, and draw each on its diagram (a site typed by zone
  // sits at the zone's centre, as a ring).
  function redraw() {
    var editors = document.querySelectorAll("[data-map-editor]");
    if (!editors.length) { return; }
    editors.forEach(function (svg) { svg.querySelector(".map-points").innerHTML = ""; });
    keptRows("points").forEach(function (row, index) {
      var number = index + 1;
      var badge = row.querySelector("[data-site-number]");
      if (badge) { badge.textContent = String(number); }
      ["zone", "depth", "volume"].forEach(function (name) {
        var input = field(row, name);
        if (input) { input.setAttribute("aria-label", "Site " + number + " " + name); }
      });
      var x = parseFloat(field(row, "x").value);
      var y = parseFloat(field(row, "y").value);
      var zone = field(row, "zone").value;
      var placed = !isNaN(x) && !isNaN(y);
      var diagram = field(row, "diagram").value || diagramOfZone(zone);
      var svg = document.querySelector('[data-map-editor][data-diagram="' + diagram + '"]');
      var note = row.querySelector("[data-placed-note]");
      if (note) { note.textContent = placed ? "placed on the map" : "zone only"; }
      if (!svg) { return; }
      var width = parseFloat(svg.dataset.width);
      var height = parseFloat(svg.dataset.height);
      if (placed) {
        marker(svg, number, x * width, y * height, true);
      } else {
        var element = zoneElement(zone);
        if (element) {
          marker(svg, number, parseFloat(element.dataset.ax) * width, parseFloat(element.dataset.ay) * height, false);
        }
      }
    });
    checkVolumes();
  }

  function addSite(diagram, zone, x, y) {
    var row = addRow("points");
    if (!row) { return; }
    var depth = document.querySelector("[data-default-depth]");
    var volume = document.querySelector("[data-default-volume]");
    field(row, "diagram").value = diagram;
    field(row, "x").value = x === null ? "" : x.toFixed(4);
    field(row, "y").value = y === null ? "" : y.toFixed(4);
    field(row, "zone").value = zone;
    field(row, "depth").value = depth ? depth.value : "";
    field(row, "volume").value = volume ? volume.value : "";
    redraw();
  }

  function clamp(value) { return Math.min(1, Math.max(0, value)); }

  document.addEventListener("click", function (event) {
    var svg = event.target.closest && event.target.closest("[data-map-editor]");
    if (!svg) { return; }
    var point = svg.createSVGPoint();
    point.x = event.clientX;
    point.y = event.clientY;
    var local = point.matrixTransform(svg.getScreenCTM().inverse());
    var x = clamp(local.x / parseFloat(svg.dataset.width));
    var y = clamp(local.y / parseFloat(svg.dataset.height));
    var hit = event.target.closest("[data-zone]");
    addSite(svg.dataset.diagram, hit ? hit.dataset.zone : nearestZone(svg, x, y), x, y);
  });

  // With the keyboard: each zone is a button; Enter adds a site at the zone (no position).
  function prepareMaps() {
    document.querySelectorAll("[data-map-editor] [data-zone]").forEach(function (element) {
      var title = element.querySelector("title");
      element.setAttribute("tabindex", "0");
      element.setAttribute("role", "button");
      element.setAttribute("aria-label", "Add a site: " + (title ? title.textContent : element.dataset.zone));
    });
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" && event.key !== " ") { return; }
    var element = event.target.closest && event.target.closest("[data-map-editor] [data-zone]");
    if (!element) { return; }
    event.preventDefault();
    addSite(element.closest("[data-map-editor]").dataset.diagram, element.dataset.zone, null, null);
  });

  // --- The sites and lots tables ---------------------------------------------------------

  document.addEventListener("click", function (event) {
    var add = event.target.closest && event.target.closest("[data-add-row]");
    if (add) {
      var row = addRow(add.dataset.addRow);
      if (row && add.dataset.addRow === "points") {
        var depth = document.querySelector("[data-default-depth]");
        var volume = document.querySelector("[data-default-volume]");
        field(row, "depth").value = depth ? depth.value : "";
        field(row, "volume").value = volume ? volume.value : "";
        redraw();
      }
      if (row) {
        var first = row.querySelector("select, input:not([type=hidden])");
        if (first) { first.focus(); }
      }
      return;
    }
    var remove = event.target.closest && event.target.closest("[data-remove-row]");
    if (remove) {
      var gone = remove.closest("[data-row]");
      field(gone, "delete").value = "on";
      gone.hidden = true;
      redraw();
    }
  });

  document.addEventListener("change", function (event) {
    var row = event.target.closest && event.target.closest('[data-row="points"]');
    if (row && event.target === field(row, "zone")) {
      // A site moved to a zone of another diagram loses its position there.
      var diagram = diagramOfZone(event.target.value);
      if (diagram && diagram !== field(row, "diagram").value) {
        field(row, "diagram").value = diagram;
        field(row, "x").value = "";
        field(row, "y").value = "";
      }
      redraw();
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches('[data-field="volume"], [data-total-volume]')) {
      checkVolumes();
    }
  });

  // The sites' volumes must add up to the total: say so while typing, not only on saving.
  function checkVolumes() {
    var status = document.querySelector("[data-volume-check]");
    if (!status) { return; }
    var rows = keptRows("points");
    var sum = rows.reduce(function (total, row) {
      var value = parseFloat(field(row, "volume").value);
      return total + (isNaN(value) ? 0 : value);
    }, 0);
    var totalInput = document.querySelector("[data-total-volume]");
    var total = totalInput ? parseFloat(totalInput.value) : NaN;
    status.classList.remove("is-ok", "is-off");
    if (!rows.length) { status.textContent = ""; return; }
    var shown = sum.toFixed(2).replace(/\.?0+$/, "");
    if (isNaN(total)) {
      status.textContent = rows.length + " site" + (rows.length > 1 ? "s" : "") + ", " + shown + " ml";
    } else if (Math.abs(total - sum) < 0.005) {
      status.textContent = shown + " ml, matches the total";
      status.classList.add("is-ok");
    } else {
      status.textContent = "Sites add up to " + shown + " ml; the total says " + total + " ml";
      status.classList.add("is-off");
    }
  }

  // Hovering a row shows its marker, and the other way round.
  function highlight(number, on) {
    document.querySelectorAll('.map-point[data-index="' + number + '"]').forEach(function (point) {
      point.classList.toggle("is-highlighted", on);
    });
  }
  document.addEventListener("mouseover", function (event) {
    var row = event.target.closest && event.target.closest('[data-row="points"]');
    if (!row) { return; }
    var badge = row.querySelector("[data-site-number]");
    if (badge) { highlight(badge.textContent, true); }
  });
  document.addEventListener("mouseout", function (event) {
    var row = event.target.closest && event.target.closest('[data-row="points"]');
    if (!row) { return; }
    var badge = row.querySelector("[data-site-number]");
    if (badge) { highlight(badge.textContent, false); }
  });

  // Several diagrams (a scar plan on the face and the body): one shown at a time.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-show-diagram]");
    if (!button) { return; }
    document.querySelectorAll(".map-stage .injection-map").forEach(function (figure) {
      figure.hidden = figure.dataset.diagram !== button.dataset.showDiagram;
    });
    button.parentElement.querySelectorAll("[data-show-diagram]").forEach(function (other) {
      other.classList.toggle("active", other === button);
      other.setAttribute("aria-pressed", other === button ? "true" : "false");
    });
  });

  // --- Forms -------------------------------------------------------------------------------

  // A submit button with data-confirm asks first (clinic.js does this for whole forms).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-autosubmit]");
    if (form) { form.submit(); }
  });

  // The plan form: an indication brings its usual course, and only its cocktails.
  function filterCocktails(form, indication) {
    var select = form.querySelector('select[name="cocktail"]');
    if (!select) { return; }
    Array.prototype.forEach.call(select.options, function (option) {
      var other = option.dataset.indication && option.dataset.indication !== indication;
      option.hidden = Boolean(other);
      option.disabled = Boolean(other);
      if (other && option.selected) { select.value = ""; }
    });
  }

  function preparePlanForm() {
    var form = document.querySelector("[data-plan-form]");
    if (!form) { return; }
    var indication = form.querySelector('select[name="indication"]');
    if (!indication) { return; }
    filterCocktails(form, indication.value);
    indication.addEventListener("change", function () {
      var defaults = JSON.parse(indication.dataset.courseDefaults || "{}")[indication.value];
      if (defaults) {
        Object.keys(defaults).forEach(function (name) {
          var input = form.elements.namedItem(name);
          if (input) { input.value = defaults[name]; }
        });
      }
      filterCocktails(form, indication.value);
    });
  }

  prepareMaps();
  redraw();
  preparePlanForm();
})();
