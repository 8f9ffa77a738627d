// The statements table of summary.html: filters and sorting. Filters live in the address
// ("#statements?speaker=putin&stance_tomahawk_transfer=against"), so every figure and chart mark
// links to the statements behind it, and a filtered view can be bookmarked.
(function () {
  "use strict";
  var PREFIX = "#statements?";
  var table = document.getElementById("statements-table");
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var controls = Array.prototype.slice.call(document.querySelectorAll("[data-filter]"));
  var count = document.getElementById("statements-count");

  function apply() {
    var shown = 0;
    rows.forEach(function (row) {
      var keep = controls.every(function (c) {
        return !c.value || row.getAttribute("data-" + c.getAttribute("data-filter")) === c.value;
      });
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " statements shown";
  }

  function fromAddress() {
    if (location.hash.indexOf(PREFIX) !== 0) { return false; }
    var query = new URLSearchParams(location.hash.slice(PREFIX.length));
    controls.forEach(function (c) {
      var wanted = query.get(c.getAttribute("data-filter")) || "";
      var known = Array.prototype.some.call(c.options, function (o) { return o.value === wanted; });
      c.value = known ? wanted : "";
    });
    apply();
    document.getElementById("statements").scrollIntoView();
    return true;
  }

  function toAddress() {
    var query = new URLSearchParams();
    controls.forEach(function (c) { if (c.value) { query.set(c.getAttribute("data-filter"), c.value); } });
    history.replaceState(null, "", PREFIX + query.toString());
  }

  controls.forEach(function (c) {
    c.addEventListener("change", function () { apply(); toAddress(); });
  });
  document.getElementById("statements-reset").addEventListener("click", function () {
    controls.forEach(function (c) { c.value = ""; });
    apply();
    toAddress();
  });

  // Sorting: a header button sorts by its column (numbers by data-sort), again to reverse.
  var buttons = Array.prototype.slice.call(table.querySelectorAll("th button"));
  buttons.forEach(function (button, column) {
    button.addEventListener("click", function () {
      var th = button.parentNode;
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      buttons.forEach(function (b) { b.parentNode.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var key = function (row) {
        var cell = row.cells[column];
        var value = cell.getAttribute("data-sort");
        return value === null ? cell.textContent.trim().toLowerCase() : parseFloat(value);
      };
      var sorted = rows.slice().sort(function (a, b) {
        var x = key(a), y = key(b);
        var order = x < y ? -1 : (x > y ? 1 : 0);
        return ascending ? order : -order;
      });
      sorted.forEach(function (row) { body.appendChild(row); });
    });
  });

  window.addEventListener("hashchange", fromAddress);
  if (!fromAddress()) { apply(); }
})();
