/* The expert's running total on the score page (templates/review/expert_score.html): Σ points ×
 * weight over the criteria as they are typed, the rule of review.scoring.weighted_total. The
 * server's total, stored on submission, stays the truth; this only lets the expert see where
 * they stand. An entry that is not a number from 0 to the criterion's maximum in steps of 0.5 is
 * left out of the sum and named below it. */
(function () {
  "use strict";
  var form = document.querySelector("[data-score-form]");
  if (!form) { return; }
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input[data-weight]"));
  var totalOut = form.querySelector("[data-score-total]");
  var countOut = form.querySelector("[data-score-count]");
  var problemOut = form.querySelector("[data-score-problem]");

  function labelOf(input) {
    var label = form.querySelector('label[for="' + input.id + '"]');
    return label ? label.textContent.replace(/[*\s]+$/, "").trim() : input.name;
  }

  function update() {
    var total = 0, filled = 0, problems = [];
    inputs.forEach(function (input) {
      var text = input.value.trim();
      if (text === "") { return; }
      var points = Number(text);
      var max = Number(input.getAttribute("max"));
      if (!isFinite(points) || points < 0 || points > max || Math.round(points * 2) !== points * 2) {
        problems.push(labelOf(input));
        return;
      }
      filled += 1;
      // In hundredths, as the server's Decimal arithmetic: no binary fractions in the sum.
      total += Math.round(points * 10) * Math.round(Number(input.dataset.weight) * 100);
    });
    totalOut.textContent = filled ? (total / 1000).toFixed(2) : "—";
    countOut.textContent = "（已评 " + filled + " / " + inputs.length + " 项）";
    problemOut.textContent = problems.length ? "未计入（分值应为 0 至满分、以 0.5 为单位）：" + problems.join("、") : "";
  }

  inputs.forEach(function (input) { input.addEventListener("input", update); });
  update();
}());
