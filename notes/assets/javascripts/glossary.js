// Definitions of abbreviations and everyday glossary words (<abbr title>) for touch and
// keyboard: the title alone only shows on mouse hover. Each <abbr> becomes focusable;
// focus or a tap shows its definition in a small box, Escape or a tap elsewhere hides it.
(function () {
  var tip = null, owner = null;
  function hide() {
    if (tip) { tip.remove(); tip = null; }
    if (owner) { owner.removeAttribute("aria-describedby"); owner = null; }
  }
  function show(abbr) {
    if (owner === abbr) return;
    hide();
    var text = abbr.getAttribute("data-atlas-title") || abbr.getAttribute("title");
    if (!text) return;
    tip = document.createElement("span");
    tip.className = "atlas-abbr-tip";
    tip.id = "atlas-abbr-tip";
    tip.setAttribute("role", "tooltip");
    tip.textContent = text;  // text, never HTML
    document.body.appendChild(tip);
    var r = abbr.getBoundingClientRect();
    var left = Math.max(8, Math.min(r.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8));
    tip.style.left = left + "px";
    tip.style.top = (r.bottom + window.scrollY + 4) + "px";
    abbr.setAttribute("aria-describedby", tip.id);
    owner = abbr;
  }
  function setup() {
    document.querySelectorAll(".md-typeset abbr[title]").forEach(function (abbr) {
      // inside a link, a tap must follow the link and Tab already stops there
      if (abbr.hasAttribute("tabindex") || abbr.closest("a")) return;
      abbr.setAttribute("tabindex", "0");
      abbr.addEventListener("focus", function () { show(abbr); });
      abbr.addEventListener("blur", hide);
      abbr.addEventListener("click", function (e) { e.preventDefault(); show(abbr); });
    });
  }
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
  document.addEventListener("click", function (e) { if (owner && !owner.contains(e.target)) hide(); });
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(setup);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
