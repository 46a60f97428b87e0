// The trials list (trials/index.md): filters by status, phase, class and country, and an
// order by last update. Progressive enhancement: without this script the table is complete,
// open trials first. The filter state lives in the address (?status=recruiting&country=china)
// so a filtered list can be bookmarked or shared, and is restored from it on load.
// Each row's values come from the hidden span in its first cell (data-trial, JSON), the
// status with its words and its place in the order (atlas/trials.py holds both).
(function () {
  var FIELDS = ["status", "phase", "class", "country"];

  function slug(text) {
    return String(text).toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "none";
  }

  function values(data, field) {
    if (field === "status") return [data.status || ""];
    if (field === "phase") return [data.phase || "Not stated"];
    if (field === "class") return data.classes || [];
    return data.countries && data.countries.length ? data.countries : ["Not stated in the record read"];
  }

  function setUp() {
    var form = document.querySelector("form.atlas-trial-filters");
    var span = document.querySelector(".atlas-trials .atlas-trial-data");
    if (!form || !span || form.dataset.ready) return;
    var table = span.closest("table");
    var body = table.tBodies[0];
    var rows = Array.prototype.map.call(body.rows, function (tr, i) {
      var el = tr.querySelector(".atlas-trial-data");
      var data = {};
      try { data = JSON.parse(el.getAttribute("data-trial")); } catch (e) { data = {}; }
      return { tr: tr, data: data, first: i };
    });
    // the options: every value some row has, with how many rows have it
    FIELDS.forEach(function (field) {
      var select = form.elements[field];
      var counts = {}, shown = {}, rank = {};
      rows.forEach(function (row) {
        values(row.data, field).forEach(function (v) {
          var key = field === "status" ? (v || "none") : slug(v);
          counts[key] = (counts[key] || 0) + 1;
          shown[key] = field === "status" ? (row.data.status_label || v) : v;
          rank[key] = row.data.status_rank;
        });
      });
      var keys = Object.keys(counts);
      keys.sort(function (a, b) {
        if (field === "status") return rank[a] - rank[b];
        return shown[a].localeCompare(shown[b]);
      });
      keys.forEach(function (key) {
        var option = document.createElement("option");
        option.value = key;
        option.textContent = shown[key] + " (" + counts[key] + ")";
        select.appendChild(option);
      });
    });

    function state() {
      var out = {};
      FIELDS.concat(["sort"]).forEach(function (f) { if (form.elements[f].value) out[f] = form.elements[f].value; });
      return out;
    }

    function apply(push) {
      var s = state();
      var shownRows = 0;
      rows.forEach(function (row) {
        var keep = FIELDS.every(function (field) {
          if (!s[field]) return true;
          return values(row.data, field).some(function (v) {
            return (field === "status" ? (v || "none") : slug(v)) === s[field];
          });
        });
        row.tr.hidden = !keep;
        if (keep) shownRows += 1;
      });
      var ordered = rows.slice();
      if (s.sort === "updated") {
        ordered.sort(function (a, b) {
          var x = a.data.updated || "", y = b.data.updated || "";
          return x === y ? a.first - b.first : (x < y ? 1 : -1);
        });
      } else {
        ordered.sort(function (a, b) { return a.first - b.first; });
      }
      ordered.forEach(function (row) { body.appendChild(row.tr); });
      form.querySelector(".atlas-trial-count").textContent =
        shownRows + " of " + rows.length + " trials shown";
      if (push) {
        var params = new URLSearchParams(s).toString();
        var url = location.pathname + (params ? "?" + params : "") + location.hash;
        history.replaceState(null, "", url);
      }
    }

    // restore from the address: only values the list offers
    var params = new URLSearchParams(location.search);
    FIELDS.concat(["sort"]).forEach(function (f) {
      var want = params.get(f);
      var select = form.elements[f];
      if (want && Array.prototype.some.call(select.options, function (o) { return o.value === want; })) {
        select.value = want;
      }
    });
    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.hidden = false;
    form.dataset.ready = "1";
    apply(false);
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
