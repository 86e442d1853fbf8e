/* Follows a background job (a PDF bundle, an automatic assignment): asks the server for the job's
 * state every two seconds, moves the bar, and when the job has finished shows what it did (the
 * elements marked data-job-finished; a download link, a summary, shortfalls). */
(function () {
  "use strict";
  var root = document.querySelector("[data-job-status-url]");
  if (!root) { return; }
  var url = root.getAttribute("data-job-status-url");
  function show(selector, text) {
    var element = root.querySelector(selector);
    if (element) { element.textContent = text; }
  }
  function update() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        show("[data-job-state]", job.label);
        show("[data-job-done]", job.done);
        show("[data-job-total]", job.total);
        var progress = root.querySelector("[data-job-progress]");
        progress.setAttribute("aria-valuenow", job.percent);
        progress.querySelector(".progress-bar").setAttribute("data-width", job.percent);
        window.applyProgressBars(root);
        show("[data-job-error]", job.error || "");
        if (job.summary !== undefined) { show("[data-job-summary]", job.summary); }
        var list = root.querySelector("[data-job-shortfalls]");
        if (list && job.shortfalls) {
          list.replaceChildren.apply(list, job.shortfalls.map(function (line) {
            var item = document.createElement("li");
            item.textContent = line;
            return item;
          }));
        }
        if (job.state === "done") {
          root.querySelectorAll("[data-job-finished]").forEach(function (element) {
            element.hidden = element.getAttribute("data-job-finished") === "empty" && !(job.shortfalls || []).length;
          });
        } else if (job.state !== "failed") {
          window.setTimeout(update, 2000);
        }
      })
      .catch(function () { window.setTimeout(update, 5000); });
  }
  if (root.getAttribute("data-job-finished-already") !== "true") { update(); }
})();
