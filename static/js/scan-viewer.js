/* 缩小/放大 for the scan viewer (templates/applications/_scan_viewer.html): the pages' width in steps,
 * inside their own scrolling box. Without JavaScript each page still opens at full size when tapped. */
(function () {
  "use strict";
  var LEVELS = [100, 150, 200, 300];
  document.querySelectorAll("[data-scan-viewer]").forEach(function (viewer) {
    var controls = viewer.querySelector("[data-scan-zoom]");
    var pages = viewer.querySelector(".scan-pages");
    if (!controls || !pages) { return; }
    var level = 0;
    var shown = controls.querySelector("[data-zoom-level]");
    var buttons = controls.querySelectorAll("[data-zoom-step]");
    function apply() {
      pages.setAttribute("data-zoom", String(LEVELS[level]));
      shown.textContent = LEVELS[level] + "%";
      buttons.forEach(function (b) {
        var step = Number(b.getAttribute("data-zoom-step"));
        b.disabled = level + step < 0 || level + step >= LEVELS.length;
      });
    }
    buttons.forEach(function (b) {
      b.addEventListener("click", function () {
        level = Math.max(0, Math.min(LEVELS.length - 1, level + Number(b.getAttribute("data-zoom-step"))));
        apply();
      });
    });
    controls.hidden = false;
    apply();
  });
})();
