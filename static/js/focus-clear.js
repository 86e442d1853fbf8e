/* Keeps the field that has the keyboard focus clear of the sticky save bar at the bottom of the
 * application form (WCAG 2.4.11, focus not obscured). The browser scrolls a focused field into
 * view only when it is outside the window: one that lands behind the bar counts as visible and
 * stays hidden. Once the browser's own (smooth) scrolling has stopped, scroll it above the bar. */
(function () {
  "use strict";
  var bar = document.querySelector(".save-bar");
  if (!bar) { return; }

  function whenStill(then) {
    var last = -1, still = 0;
    (function tick() {
      still = window.scrollY === last ? still + 1 : 0;
      last = window.scrollY;
      if (still >= 2) { then(); } else { window.requestAnimationFrame(tick); }
    })();
  }

  function clear(field) {
    var box = field.getBoundingClientRect();
    var edge = bar.getBoundingClientRect().top;
    if (box.bottom > edge && box.top < window.innerHeight) {
      // Never so far that a tall field's top leaves the window.
      window.scrollBy({ top: Math.min(box.bottom - edge + 16, box.top - 16), behavior: "instant" });
    }
  }

  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (!field || field === document.body || bar.contains(field)) { return; }
    whenStill(function () { if (document.activeElement === field) { clear(field); } });
  });
})();
