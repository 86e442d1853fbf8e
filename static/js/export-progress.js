/* Follows a PDF bundle being built: asks the server for the job's state every two seconds and
 * moves the bar, then offers the download. */
(function () {
  "use strict";
  var root = document.getElementById("export-job");
  if (!root) { return; }
  var url = root.getAttribute("data-status-url");
  function update() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (job) {
        root.querySelector("[data-job-state]").textContent = job.label;
        root.querySelector("[data-job-done]").textContent = job.done;
        root.querySelector("[data-job-total]").textContent = job.total;
        var progress = root.querySelector("[data-job-progress]");
        progress.setAttribute("aria-valuenow", job.percent);
        progress.querySelector(".progress-bar").setAttribute("data-width", job.percent);
        window.applyProgressBars(root);
        root.querySelector("[data-job-error]").textContent = job.error || "";
        if (job.state === "done") {
          root.querySelector("[data-job-download]").hidden = false;
        } else if (job.state !== "failed") {
          window.setTimeout(update, 2000);
        }
      })
      .catch(function () { window.setTimeout(update, 5000); });
  }
  update();
})();
