// Citation previews: the reference behind a [12] opens on hover, on keyboard focus and on
// a tap (a touch screen has no hover, so the first tap previews and a second one follows
// the link); Escape closes it. The text comes from the page's own reference list, so a
// range [12–20] previews every reference in it. Without JavaScript the link's title and
// the list at the foot of the page do the same job.
(function () {
  var box = null, owner = null, hideTimer = null, touched = false;

  function entries() {
    // bibliography address -> the entry in "References on this page"
    var map = {};
    document.querySelectorAll("article #page-references ~ div li").forEach(function (li) {
      var a = li.querySelector("a");
      if (a) map[a.href] = li;
    });
    return map;
  }

  function referencesFor(link, map) {
    var range = link.closest(".cite-range");
    if (!range) return [map[link.href] || null];
    var ends = range.querySelectorAll("a");
    var first = parseInt(ends[0].textContent, 10), last = parseInt(ends[ends.length - 1].textContent, 10);
    var out = [];
    for (var n = first; n <= last; n++) out.push(map[link.href.replace(/#ref-\d+$/, "#ref-" + n)] || null);
    return out;
  }

  function ensureBox() {
    if (box) return box;
    box = document.createElement("div");
    box.className = "atlas-cite-preview md-typeset";
    box.id = "atlas-cite-preview";
    box.setAttribute("role", "tooltip");
    box.hidden = true;
    box.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    box.addEventListener("mouseleave", function () { hideSoon(); });
    document.body.appendChild(box);
    return box;
  }

  function show(link) {
    clearTimeout(hideTimer);
    var b = ensureBox(), map = entries();
    b.textContent = "";
    var list = document.createElement("ul");
    referencesFor(link, map).forEach(function (li, i) {
      var item = document.createElement("li");
      if (li) {
        item.innerHTML = li.innerHTML;  // our own rendered, already escaped reference
      } else {
        item.textContent = i === 0 ? (link.dataset.reference || link.textContent) : "";
      }
      if (item.textContent) list.appendChild(item);
    });
    b.appendChild(list);
    var more = document.createElement("a");
    more.href = link.href;
    more.textContent = "Open in the bibliography";
    b.appendChild(more);
    b.hidden = false;
    owner = link;
    link.setAttribute("aria-describedby", b.id);
    place(link, b);
  }

  function place(link, b) {
    // Inside the screen, whatever its size: on the side of the link with more room, no taller
    // than that room (a long range scrolls inside the box), never past an edge.
    var r = link.getBoundingClientRect(), width = b.offsetWidth, margin = 8, gap = 6;
    var vw = document.documentElement.clientWidth, vh = window.innerHeight;
    var left = Math.max(margin, Math.min(r.left, vw - width - margin));
    var roomBelow = vh - r.bottom - gap - margin, roomAbove = r.top - gap - margin;
    b.style.maxHeight = "";
    var natural = b.offsetHeight;
    var below = natural <= roomBelow || roomBelow >= roomAbove;
    var room = Math.max(below ? roomBelow : roomAbove, 96);
    if (natural > room) b.style.maxHeight = room + "px";
    var height = b.offsetHeight;
    var top = below ? r.bottom + gap : r.top - gap - height;
    top = Math.max(margin, Math.min(top, vh - height - margin));
    b.style.left = left + window.scrollX + "px";
    b.style.top = top + window.scrollY + "px";
  }

  function hide() {
    clearTimeout(hideTimer);
    if (box) box.hidden = true;
    if (owner) owner.removeAttribute("aria-describedby");
    owner = null;
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 250);
  }

  function citeLink(target) {
    return target && target.closest ? target.closest("article .cite a") : null;
  }

  function setup() {
    document.querySelectorAll("article .cite a[title]").forEach(function (a) {
      // the preview replaces the browser's own tooltip, which would show on top of it
      a.dataset.reference = a.title;
      a.removeAttribute("title");
    });
  }

  document.addEventListener("pointerdown", function (e) {
    touched = e.pointerType === "touch" || e.pointerType === "pen";
    if (box && !box.hidden && !box.contains(e.target) && citeLink(e.target) !== owner) hide();
  }, true);
  document.addEventListener("click", function (e) {
    var link = citeLink(e.target);
    if (!link || !touched) return;
    if (owner === link && box && !box.hidden) return;  // a second tap follows the link
    e.preventDefault();
    show(link);
  });
  document.addEventListener("mouseover", function (e) {
    var link = citeLink(e.target);
    if (!link || touched) return;
    if (owner !== link) show(link);
    else clearTimeout(hideTimer);
  });
  document.addEventListener("mouseout", function (e) {
    if (citeLink(e.target) && owner && !touched) hideSoon();
  });
  document.addEventListener("focusin", function (e) {
    var link = citeLink(e.target);
    // keyboard focus only: a tap focuses the link too, and the tap itself decides
    if (link && link.matches(":focus-visible")) show(link);
    else if (!link && box && !box.contains(e.target)) hide();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && owner) {
      var link = owner;
      hide();
      if (document.activeElement !== link && !(box && box.contains(document.activeElement))) return;
      link.focus({ preventScroll: true });
      hide();  // focusing the link again must not reopen what Escape closed
    }
  });
  window.addEventListener("resize", hide);

  if (typeof document$ !== "undefined") document$.subscribe(function () { hide(); setup(); });
  else document.addEventListener("DOMContentLoaded", setup);
})();
