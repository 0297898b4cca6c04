/* The tracking sheet: with htmx each cell saves itself when its select changes, so the
 * cells' "Set" buttons (there for pages without JS) are hidden. */
(function () {
  "use strict";
  function live() {
    if (!window.htmx) return;
    document.querySelectorAll(".sheet-grid").forEach((grid) => grid.classList.add("live"));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", live);
  else live();
})();
