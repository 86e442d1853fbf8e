/* The 字数 of a text, the same rule as applications/wordcount.py (tests compare the two):
 * each CJK character and each full-width punctuation mark counts one, each run of Latin letters
 * or digits (with inner joiners such as "3.5" or "COVID-19") counts one, the rest nothing. */
(function (global) {
  "use strict";
  var CJK = "\\u3007\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u{20000}-\\u{2fa1f}\\u{30000}-\\u{3134f}";
  var FULLWIDTH_PUNCT = "\\u3001-\\u3006\\u3008-\\u303f" +
    "\\uff01-\\uff0f\\uff1a-\\uff20\\uff3b-\\uff40\\uff5b-\\uff65" +
    "\\u2014\\u2015\\u2018\\u2019\\u201c\\u201d\\u2026\\u00b7\\u2027\\u30fb\\ufe30-\\ufe4f";
  var ALNUM = "A-Za-z0-9\\u00c0-\\u00d6\\u00d8-\\u00f6\\u00f8-\\u024f\\uff10-\\uff19\\uff21-\\uff3a\\uff41-\\uff5a";
  var JOINER = "._\\-'\\u2019";
  var TOKEN = new RegExp(
    "[" + CJK + "]|[" + FULLWIDTH_PUNCT + "]|[" + ALNUM + "]+(?:[" + JOINER + "][" + ALNUM + "]+)*",
    "gu"
  );

  function countZi(text) {
    if (!text) { return 0; }
    var matches = text.match(TOKEN);
    return matches ? matches.length : 0;
  }

  // Characters as applications.rules.character_count counts them: a line break is one (a
  // textarea's value holds LF alone), a character outside the BMP is one (not two UTF-16 units).
  function countCharacters(text) {
    return text ? Array.from(text.replace(/\r\n/g, "\n")).length : 0;
  }

  global.countZi = countZi;
  global.countCharacters = countCharacters;

  // The cap of a field with data-char-max: a line under it, "本栏 1234 / 20000 字符", red when over
  // (the server then keeps the stored text and says so next to the field).
  function capCounter(field) {
    var max = parseInt(field.getAttribute("data-char-max"), 10);
    var line = document.createElement("div");
    line.className = "form-text";
    line.setAttribute("data-char-counter", field.id);
    field.insertAdjacentElement("afterend", line);
    function refreshCap() {
      var count = countCharacters(field.value);
      line.textContent = "本栏 " + count + " / " + max + " 字符" + (count > max ? "，超出 " + (count - max) + " 字符，超出部分无法保存" : "");
      line.classList.toggle("text-danger", count > max);
    }
    field.addEventListener("input", refreshCap);
    refreshCap();
  }

  // Live counters: every textarea or input with data-zi-group contributes to the counters
  // (elements with data-zi-counter) of the same group; data-zi-min sets the target.
  function refresh(group) {
    var total = 0;
    document.querySelectorAll('[data-zi-group="' + group + '"]').forEach(function (field) {
      var own = countZi(field.value);
      total += own;
      var ownCounter = document.querySelector('[data-zi-field-counter="' + field.id + '"]');
      if (ownCounter) { ownCounter.textContent = own; }
    });
    document.querySelectorAll('[data-zi-counter="' + group + '"]').forEach(function (counter) {
      var min = parseInt(counter.getAttribute("data-zi-min") || "0", 10);
      var value = counter.querySelector("[data-zi-total]");
      (value || counter).textContent = total;
      counter.classList.toggle("text-success", total >= min);
      counter.classList.toggle("text-danger", total < min);
    });
  }

  function init() {
    var groups = {};
    document.querySelectorAll("[data-zi-group]").forEach(function (field) {
      var group = field.getAttribute("data-zi-group");
      groups[group] = true;
      field.addEventListener("input", function () { refresh(group); });
    });
    Object.keys(groups).forEach(refresh);
    document.querySelectorAll("[data-char-max]").forEach(capCounter);
  }

  if (typeof document !== "undefined") {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", init);
    } else {
      init();
    }
  }
})(this);
