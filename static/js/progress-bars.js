/* Progress bars take their width from data-width (a percentage): the Content-Security-Policy
 * allows no inline style, so the width is set here. */
(function () {
  "use strict";
  function apply(root) {
    (root || document).querySelectorAll(".progress-bar[data-width]").forEach(function (bar) {
      var value = Math.max(0, Math.min(100, parseFloat(bar.getAttribute("data-width")) || 0));
      bar.style.width = value + "%";
    });
  }
  window.applyProgressBars = apply;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { apply(); });
  } else {
    apply();
  }
})();
