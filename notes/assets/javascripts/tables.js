// Sortable tables (vendored tablesort, no CDN). Material's instant loading swaps
// pages without a reload, so tables are wired on every page change (document$).
function atlasSortTables() {
  document.querySelectorAll("article table:not([class])").forEach(function (table) {
    if (!table.dataset.sortable && table.tHead) {
      new Tablesort(table);
      table.dataset.sortable = "1";
    }
  });
}
if (typeof document$ !== "undefined") {
  document$.subscribe(atlasSortTables);
} else {
  document.addEventListener("DOMContentLoaded", atlasSortTables);
}
