// The evidence explorer (docs/explorer.md): filters the studies and outcomes the site
// publishes as JSON (data/studies.json, data/outcomes.json), keeps the filter in the
// address so a view can be shared and restored, and downloads the rows shown as CSV and
// their references as BibTeX, RIS and CSL-JSON (data/reference-entries.json, made by the
// same code as the site's own reference files). No library, nothing from other hosts; every
// value from the data is set as text, never as HTML.
(function () {
  "use strict";

  // filter name (in the address) -> [label, column of the study rows]
  var FACETS = [
    ["class", "Therapy class", "classes"],
    ["stage", "Stage of evidence", "stage"],
    ["design", "Design", "design"],
    ["species", "Species", "species"],
    ["cell_source", "Cell source", "cell_source"],
    ["site", "Site", "site"],
    ["route", "Route", "route"],
    ["immunosuppression", "Immunosuppression", "immunosuppression"],
    ["source_type", "Source of the result", "source_type"],
    ["measure", "Outcome measure", "measure"],
  ];
  var LISTS = { classes: true, source_type: true, measure: true }; // a study has several
  var STUDY_COLUMNS = [["id", "Study"], ["year", "Year"], ["design", "Design"], ["stage", "Stage"],
    ["species", "Species"], ["classes", "Classes"], ["enrolled", "Enrolled"]];
  var OUTCOME_COLUMNS = [["study", "Study"], ["year", "Year"], ["measure", "Measure"], ["finding", "Finding"],
    ["figures", "Figures"], ["source_type", "Source"]];
  var FORMULA = /^[=+\-@\t\r]/;
  var NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

  function words(value) {
    if (value === "true") return "Yes";
    if (value === "false") return "No";
    if (value === "") return "Not recorded";
    var text = String(value).replace(/-/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  function split(value) {
    return value === "" || value === undefined || value === null ? [] : String(value).split("; ");
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // CSV as the site's own downloads write it: a header per column, quoted where needed, and
  // a text that a spreadsheet would run as a formula shown as text (leading apostrophe).
  function csvCell(value) {
    var text = value === null || value === undefined ? "" : String(value);
    if (typeof value === "string" && FORMULA.test(text) && !NUMBER.test(text)) text = "'" + text;
    text = text.replace(/\r\n?/g, "\n");
    return /[",\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function toCsv(rows) {
    if (!rows.length) return "";
    var columns = Object.keys(rows[0]);
    var lines = [columns.map(csvCell).join(",")];
    rows.forEach(function (row) { lines.push(columns.map(function (c) { return csvCell(row[c]); }).join(",")); });
    return lines.join("\n") + "\n";
  }

  function save(name, type, text) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var a = el("a", { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function figures(o) {
    var bits = [];
    if (o.n !== "" && o.of !== "") bits.push(o.n + " of " + o.of);
    else if (o.n !== "") bits.push(String(o.n));
    if (o.effect_value !== "") bits.push(words(o.effect_statistic) + " " + o.effect_value + (o.effect_unit ? " " + o.effect_unit : ""));
    else if (o.value !== "") bits.push(o.value + (o.unit ? " " + o.unit : "") + (o.comparison_value !== "" ? " vs " + o.comparison_value : ""));
    if (o.ci_low !== "") bits.push("(" + (o.ci_kind === "confidence-interval" ? (o.ci_level ? o.ci_level + "% " : "") + "CI " : words(o.ci_kind).toLowerCase() + " ") + o.ci_low + " to " + o.ci_high + ")");
    return bits.join(" ");
  }

  function start(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    var base = root.getAttribute("data-base") || "../";
    var status = root.querySelector("[data-explorer-status]");
    Promise.all(["data/studies.json", "data/outcomes.json", "data/reference-entries.json"].map(function (f) {
      return fetch(base + f).then(function (r) {
        if (!r.ok) throw new Error(f + ": " + r.status);
        return r.json();
      });
    })).then(function (data) { build(root, base, data[0], data[1], data[2]); })
      .catch(function (e) { status.textContent = "The data could not be loaded (" + e.message + "). The downloads on the data page have it all."; });
  }

  function build(root, base, studies, outcomes, references) {
    var byId = {};
    studies.forEach(function (s) {
      byId[s.id] = s;
      s.measure = [];
      s.source_type = [];
    });
    outcomes.forEach(function (o) {
      var s = byId[o.study];
      if (!s) return;
      if (s.measure.indexOf(o.measure) < 0) s.measure.push(o.measure);
      if (s.source_type.indexOf(o.source_type) < 0) s.source_type.push(o.source_type);
    });
    function studyValues(s, column) {
      if (column === "measure" || column === "source_type") return s[column];
      return LISTS[column] ? split(s[column]) : [s[column] === undefined ? "" : String(s[column])];
    }
    function outcomeValues(o, column) {
      if (column === "measure" || column === "source_type") return [o[column]];
      var s = byId[o.study] || {};
      return studyValues(s, column);
    }

    var form = root.querySelector("form");
    var selects = {};
    var grid = el("div", { class: "atlas-explorer__filters" });
    var viewBox = el("fieldset", { class: "atlas-explorer__view" });
    viewBox.appendChild(el("legend", {}, "Show"));
    [["studies", "Studies"], ["outcomes", "Outcomes"]].forEach(function (v) {
      var label = el("label");
      var input = el("input", { type: "radio", name: "view", value: v[0], id: "explorer-view-" + v[0] });
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + v[1]));
      viewBox.appendChild(label);
    });
    grid.appendChild(viewBox);
    FACETS.forEach(function (f) {
      var values = {};
      studies.forEach(function (s) { studyValues(s, f[2]).forEach(function (v) { values[v] = true; }); });
      var wrap = el("div", { class: "atlas-explorer__filter" });
      wrap.appendChild(el("label", { for: "explorer-" + f[0] }, f[1]));
      var select = el("select", { id: "explorer-" + f[0], name: f[0] });
      select.appendChild(el("option", { value: "" }, "Any"));
      Object.keys(values).sort(function (a, b) { return words(a).localeCompare(words(b)); }).forEach(function (v) {
        select.appendChild(el("option", { value: v === "" ? "none" : v }, words(v)));
      });
      selects[f[0]] = select;
      wrap.appendChild(select);
      grid.appendChild(wrap);
    });
    var years = studies.map(function (s) { return Number(s.year); });
    ["year_from", "year_to"].forEach(function (name, i) {
      var wrap = el("div", { class: "atlas-explorer__filter" });
      wrap.appendChild(el("label", { for: "explorer-" + name }, i ? "Year to" : "Year from"));
      var input = el("input", { id: "explorer-" + name, name: name, type: "number", inputmode: "numeric",
        min: String(Math.min.apply(null, years)), max: String(Math.max.apply(null, years)) });
      selects[name] = input;
      wrap.appendChild(input);
      grid.appendChild(wrap);
    });
    var reset = el("button", { type: "button", class: "atlas-explorer__button" }, "Clear the filters");
    grid.appendChild(reset);
    form.appendChild(grid);

    var downloads = el("div", { class: "atlas-explorer__downloads", role: "group", "aria-label": "Download what is shown" });
    var buttons = {
      csv: el("button", { type: "button", class: "atlas-explorer__button", "data-download": "csv" }, "Rows (CSV)"),
      bib: el("button", { type: "button", class: "atlas-explorer__button", "data-download": "bib" }, "References (BibTeX)"),
      ris: el("button", { type: "button", class: "atlas-explorer__button", "data-download": "ris" }, "References (RIS)"),
      csl: el("button", { type: "button", class: "atlas-explorer__button", "data-download": "csl" }, "References (CSL-JSON)"),
    };
    Object.keys(buttons).forEach(function (k) { downloads.appendChild(buttons[k]); });
    form.appendChild(downloads);

    var status = root.querySelector("[data-explorer-status]");
    var scroller = el("div", { class: "atlas-explorer__table", tabindex: "0", role: "region", "aria-label": "Rows shown" });
    var table = el("table", { class: "atlas-explorer__rows" });
    scroller.appendChild(table);
    root.appendChild(scroller);

    function state() {
      var out = { view: form.querySelector("input[name=view]:checked").value };
      Object.keys(selects).forEach(function (k) { if (selects[k].value) out[k] = selects[k].value; });
      return out;
    }
    function restore() {
      var params = new URLSearchParams(window.location.search);
      var view = params.get("view") === "outcomes" ? "outcomes" : "studies";
      form.querySelector("#explorer-view-" + view).checked = true;
      Object.keys(selects).forEach(function (k) {
        var v = params.get(k) || "";
        var node = selects[k];
        if (node.tagName === "SELECT") {
          node.value = Array.prototype.some.call(node.options, function (o) { return o.value === v; }) ? v : "";
        } else {
          node.value = /^\d{4}$/.test(v) ? v : "";
        }
      });
    }
    function matches(row, s, valuesOf) {
      var year = Number(row.year);
      if (s.year_from && year < Number(s.year_from)) return false;
      if (s.year_to && year > Number(s.year_to)) return false;
      return FACETS.every(function (f) {
        var want = s[f[0]];
        if (!want) return true;
        return valuesOf(row, f[2]).indexOf(want === "none" ? "" : want) >= 0;
      });
    }
    var shown = [];
    function render(push) {
      var s = state();
      var outcomeView = s.view === "outcomes";
      shown = outcomeView
        ? outcomes.filter(function (o) { return matches(o, s, outcomeValues); })
        : studies.filter(function (r) { return matches(r, s, studyValues); });
      var columns = outcomeView ? OUTCOME_COLUMNS : STUDY_COLUMNS;
      table.textContent = "";
      table.appendChild(el("caption", {}, (outcomeView ? "Outcomes" : "Studies") + " matching the filters"));
      var head = el("thead");
      var tr = el("tr");
      columns.forEach(function (c) { tr.appendChild(el("th", { scope: "col" }, c[1])); });
      head.appendChild(tr);
      table.appendChild(head);
      var body = el("tbody");
      shown.forEach(function (row) {
        var r = el("tr");
        columns.forEach(function (c) {
          var td = el("td");
          if (c[0] === "id" || c[0] === "study") {
            var id = row[c[0]];
            var a = el("a", { href: base + "studies/" + encodeURIComponent(id) + "/" }, byId[id] ? byId[id].title : id);
            td.appendChild(a);
          } else if (c[0] === "figures") {
            td.textContent = figures(row);
          } else if (c[0] === "classes") {
            td.textContent = split(row.classes).map(words).join(", ");
          } else if (c[0] === "finding" || c[0] === "year" || c[0] === "enrolled") {
            td.textContent = row[c[0]];
          } else {
            td.textContent = row[c[0]] === "" ? "" : words(row[c[0]]);
          }
          r.appendChild(td);
        });
        body.appendChild(r);
      });
      table.appendChild(body);
      var total = outcomeView ? outcomes.length : studies.length;
      status.textContent = shown.length + " of " + total + " " + (outcomeView ? "outcomes" : "studies") + " shown.";
      var query = new URLSearchParams();
      Object.keys(s).forEach(function (k) { if (!(k === "view" && s[k] === "studies")) query.set(k, s[k]); });
      var address = window.location.pathname + (query.toString() ? "?" + query.toString() : "") + window.location.hash;
      if (address !== window.location.pathname + window.location.search + window.location.hash) {
        window.history[push ? "pushState" : "replaceState"]({}, "", address);
      }
      Object.keys(buttons).forEach(function (k) { buttons[k].disabled = shown.length === 0; });
    }
    function referenceIds() {
      var ids = [];
      shown.forEach(function (row) {
        split(row.references).forEach(function (id) { if (ids.indexOf(id) < 0 && references[id]) ids.push(id); });
      });
      return ids;
    }
    function download(kind) {
      var name = "atlas-" + (state().view === "outcomes" ? "outcomes" : "studies");
      var clean = shown.map(function (row) {
        var copy = {};
        Object.keys(row).forEach(function (k) {
          var v = row[k];
          copy[k] = Array.isArray(v) ? v.join("; ") : v;
        });
        return copy;
      });
      var ids = referenceIds();
      if (kind === "csv") save(name + ".csv", "text/csv", toCsv(clean));
      if (kind === "bib") save(name + "-references.bib", "application/x-bibtex", ids.map(function (id) { return references[id].bibtex; }).join("\n"));
      if (kind === "ris") save(name + "-references.ris", "application/x-research-info-systems", ids.map(function (id) { return references[id].ris; }).join(""));
      if (kind === "csl") save(name + "-references.json", "application/vnd.citationstyles.csl+json", JSON.stringify(ids.map(function (id) { return references[id].csl; }), null, 1) + "\n");
    }

    form.addEventListener("change", function () { render(true); });
    form.addEventListener("input", function (e) { if (e.target.type === "number") render(false); });
    form.addEventListener("submit", function (e) { e.preventDefault(); render(true); });
    reset.addEventListener("click", function () {
      Object.keys(selects).forEach(function (k) { selects[k].value = ""; });
      render(true);
    });
    Object.keys(buttons).forEach(function (k) { buttons[k].addEventListener("click", function () { download(k); }); });
    window.addEventListener("popstate", function () { restore(); render(false); });
    restore();
    render(false);
    root.dataset.loaded = "1";
  }

  function init() {
    var root = document.getElementById("atlas-explorer");
    if (root) start(root);
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(init);
  } else {
    document.addEventListener("DOMContentLoaded", init);
  }
})();
