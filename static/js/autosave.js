/* Autosave of the application form: a few seconds after the last keystroke the whole form is
 * sent, as JSON, to the autosave endpoint (the same checks and save as the "保存草稿" button). The state
 * ("已自动保存 10:42", "正在保存…", "网络中断，正在重试…") shows next to the save button. When the
 * network drops, the save is retried with growing pauses and nothing typed is lost: the text
 * stays in the page, and the person is told if it still cannot be saved. */
(function () {
  "use strict";
  // The application form, or another page's form that names its autosave endpoint (the annual report).
  var form = document.getElementById("application-form") || document.querySelector("form[data-autosave-url]");
  if (!form || !form.getAttribute("data-autosave-url")) { return; }
  var url = form.getAttribute("data-autosave-url");
  var status = document.getElementById("autosave-status");
  var revision = form.querySelector("input[name=revision]");
  var DELAY = 3000, RETRIES = [2000, 5000, 10000, 20000, 30000];
  var timer = null, inFlight = false, dirty = false, attempt = 0, stopped = false;
  // "保存草稿" clicked while an autosave is on its way: the form is sent once the autosave's answer
  // (and its new revision) is back, else the school would be warned of a conflict with itself.
  var pendingSubmit = null;

  function submitPending() {
    if (!pendingSubmit) { return; }
    var submitter = pendingSubmit.submitter;
    pendingSubmit = null;
    form.requestSubmit(submitter || undefined);
  }

  function show(text, kind) {
    if (!status) { return; }
    status.textContent = text;
    status.className = "small ms-2 " + (kind === "error" ? "text-danger" : kind === "ok" ? "text-success" : "text-body-secondary");
  }

  function schedule(delay) {
    if (stopped) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function keepTeamIds(ids) {
    // Rows the server now stores must count as existing rows of the formset (the first
    // INITIAL_FORMS forms), or the next save would store them a second time.
    var initial = form.querySelector("input[name='team-INITIAL_FORMS']");
    var lastStored = -1;
    ids.forEach(function (id, index) { if (id !== null) { lastStored = index; } });
    if (initial) { initial.value = String(lastStored + 1); }
    ids.forEach(function (id, index) {
      var idInput = form.querySelector("input[name='team-" + index + "-id']");
      if (!idInput) { return; }
      if (id === null && idInput.value) {
        // The row was deleted or emptied: it is now a blank row the next save ignores.
        var row = idInput.closest("tr");
        row.querySelectorAll("input[type=text]").forEach(function (input) { input.value = ""; });
        var del = row.querySelector("input[type=checkbox]");
        if (del) { del.checked = false; }
        row.classList.remove("is-deleted");
        row.hidden = true;
      }
      idInput.value = id === null ? "" : String(id);
    });
  }

  // The form's fields as {name: [values]}: read on the server in a fraction of a multipart
  // body's time (portal/autosave_body.py). File inputs are left out; the autosave stores no file.
  function formAsJson() {
    var values = {};
    new FormData(form).forEach(function (value, name) {
      if (typeof value !== "string") { return; }
      (values[name] = values[name] || []).push(value);
    });
    return JSON.stringify(values);
  }

  function csrfToken() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function save() {
    if (inFlight) { schedule(DELAY); return; }
    inFlight = true;
    dirty = false;
    show("正在自动保存…");
    fetch(url, {
      method: "POST", body: formAsJson(), credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" }
    })
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (result) {
        inFlight = false;
        attempt = 0;
        if (pendingSubmit) {
          if (result.data.saved) { revision.value = result.data.revision; keepTeamIds(result.data.team_ids || []); }
          submitPending();
          return;
        }
        if (result.data.saved) {
          revision.value = result.data.revision;
          keepTeamIds(result.data.team_ids || []);
          form.dispatchEvent(new CustomEvent("autosaved"));
          if (result.data.errors) {
            // Saved but for a section over its cap: its text stays on the page, unsaved.
            show(result.data.message, "error");
          } else {
            show("已自动保存 " + result.data.saved_at, "ok");
          }
          if (dirty) { schedule(DELAY); }
        } else if (result.status === 409) {
          stopped = true;
          show(result.data.message + " 请点“保存草稿”对照合并。", "error");
        } else {
          show(result.data.message || "有内容无法自动保存，请点“保存草稿”。", "error");
        }
      })
      .catch(function () {
        inFlight = false;
        if (pendingSubmit) { submitPending(); return; }
        dirty = true;
        if (attempt < RETRIES.length) {
          show("网络中断，正在重试…（您填写的内容仍在页面上）", "error");
          schedule(RETRIES[attempt]);
          attempt += 1;
        } else {
          show("网络一直无法连接，内容尚未保存。请不要关闭页面，网络恢复后点“保存草稿”。", "error");
          attempt = 0;
          schedule(60000);
        }
      });
  }

  form.addEventListener("submit", function (event) {
    // The form itself saves everything now: no autosave after it.
    window.clearTimeout(timer);
    stopped = true;
    if (inFlight) {
      event.preventDefault();
      pendingSubmit = { submitter: event.submitter };
      show("正在保存…");
    }
  });
  // Back to this page from the browser's history: it autosaves again.
  window.addEventListener("pageshow", function (event) { if (event.persisted) { stopped = false; } });
  form.addEventListener("input", function () { dirty = true; schedule(DELAY); });
  form.addEventListener("change", function () { dirty = true; schedule(DELAY); });
})();
