/* The team table (项目小组成员): "增加一行" adds a row in place instead of reloading, and a row
 * marked for deletion is shown struck through. Without JavaScript both still work through the
 * server (the button reloads the page with one more row; the checkbox deletes on save). */
(function () {
  "use strict";
  function init() {
    var addButton = document.querySelector("[data-team-add]");
    var rows = document.getElementById("team-rows");
    var template = document.getElementById("team-empty-row");
    var total = document.getElementById("id_team-TOTAL_FORMS");
    if (!addButton || !rows || !template || !total) { return; }

    addButton.addEventListener("click", function (event) {
      event.preventDefault();
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("tbody");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      row.querySelector(".team-number").insertAdjacentText("afterbegin", String(index + 1));
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input[type=text]");
      if (first) { first.focus(); }
    });

    rows.addEventListener("change", function (event) {
      if (event.target.name && /-DELETE$/.test(event.target.name)) {
        event.target.closest("tr").classList.toggle("is-deleted", event.target.checked);
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
