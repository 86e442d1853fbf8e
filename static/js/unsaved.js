/* Warns before leaving the application form with changes that were not saved (another link,
 * the scan upload, closing the tab): a draft must never be lost by a stray click. */
(function () {
  "use strict";
  function init() {
    var form = document.getElementById("application-form");
    if (!form) { return; }
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    // An autosave stored everything typed so far.
    form.addEventListener("autosaved", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
