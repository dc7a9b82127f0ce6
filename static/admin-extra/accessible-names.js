/*
 * Accessible names for the admin widgets that Django renders without one, so that a screen reader says what
 * each field is:
 *   - the inputs of a tabular inline, named by their column's header and the row's number
 *     ("Appointments 1: Title"), where the only label is the header above the column;
 *   - the date and time halves of a split date-time field ("Published at: date");
 *   - the autocomplete (select2) boxes, named by their field's label;
 *   - the search icons of the two-box selectors, which carry a label on an element that may not have one.
 * Run once the page and its widgets are ready, and again for each inline row added.
 */
(function () {
  "use strict";

  function labelText(element) {
    return element ? element.textContent.replace(/[:*\s]+$/, "").trim() : "";
  }

  function nameTabularInputs(root) {
    root.querySelectorAll(".tabular table").forEach(function (table) {
      var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), labelText);
      var group = labelText(table.closest(".inline-group") && table.closest(".inline-group").querySelector("h2"));
      table.querySelectorAll("tbody tr.form-row").forEach(function (row, index) {
        Array.prototype.forEach.call(row.children, function (cell, column) {
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (field) {
            if (field.labels && field.labels.length) return;
            var header = headers[column] || labelText(cell.querySelector("label")) || field.name;
            if (!header) return;
            field.setAttribute("aria-label", (group ? group + " " : "") + (index + 1) + ": " + header);
          });
        });
      });
    });
  }

  function nameSplitDateTimes(root) {
    root.querySelectorAll("p.datetime").forEach(function (paragraph) {
      var row = paragraph.closest(".form-row, .fieldBox, td");
      var field = labelText(row && row.querySelector("label"));
      var inputs = paragraph.querySelectorAll("input");
      var parts = ["date", "time"];
      inputs.forEach(function (input, index) {
        if (!input.hasAttribute("aria-label") && parts[index]) {
          input.setAttribute("aria-label", (field ? field + ": " : "") + parts[index]);
        }
      });
    });
  }

  function nameAutocompletes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var box = select.parentElement.querySelector(".select2-selection");
      if (!box) return;
      var label = select.id && document.querySelector('label[for="' + select.id + '"]');
      var name = labelText(label) || select.getAttribute("aria-label") || select.name;
      box.setAttribute("aria-label", name);
      // select2 also gives the chosen value's box a role of its own ("textbox"), which needs the name too.
      box.querySelectorAll("[role=textbox]").forEach(function (inner) {
        inner.setAttribute("aria-label", name);
      });
      var search = select.parentElement.querySelector(".select2-search__field");
      if (search) search.setAttribute("aria-label", name);
    });
  }

  function nameSearchIcons(root) {
    root.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function nameAll() {
    nameTabularInputs(document);
    nameSplitDateTimes(document);
    nameAutocompletes(document);
    nameSearchIcons(document);
  }

  // The admin builds its autocomplete boxes and two-box selectors when the page has loaded.
  window.addEventListener("load", function () {
    window.setTimeout(nameAll, 0);
  });
  document.addEventListener("formset:added", function () {
    window.setTimeout(nameAll, 0);
  });
})();
