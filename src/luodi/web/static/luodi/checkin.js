// Check-in forms: Enter saves, rows light up when changed, one submit at a time.
// Works on the weekly page (form#checkin-form) and in the objective page's dialogs.
(function () {
  "use strict";

  // Enter in a note or on a checkbox saves the form; Shift+Enter adds a line to a note.
  // Never while an input method (pinyin) is composing: there Enter picks the characters.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    var target = event.target;
    // In a note, and on a checkbox (where browsers do not submit on Enter by themselves).
    var isBox = target instanceof HTMLInputElement && target.type === "checkbox";
    if (!(target instanceof HTMLTextAreaElement) && !isBox) return;
    var form = target.form;
    if (!form || !form.hasAttribute("data-enter-submits")) return;
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  // A row is changed when a field differs from the value the page was drawn with, which
  // Django keeps in hidden "initial-…" inputs (so a page re-shown with errors still knows).
  function rowChanged(row) {
    var initial = {};
    row.querySelectorAll("input[type=hidden][name^='initial-']").forEach(function (hidden) {
      var name = hidden.name.slice(8);
      (initial[name] = initial[name] || []).push(hidden.value);
    });
    var checked = {};
    var dirty = false;
    row.querySelectorAll("input, textarea, select").forEach(function (input) {
      if (input.type === "hidden" || !input.name) return;
      if (input.type === "checkbox") {
        if (input.value === "on") {  // a single yes/no box
          if (input.checked !== ((initial[input.name] || [])[0] === "True")) dirty = true;
        } else {  // a set of milestones; none done leaves no hidden input
          (checked[input.name] = checked[input.name] || []);
          if (input.checked) checked[input.name].push(input.value);
        }
      } else if (!(input.name in initial)) {
        return;
      } else if (input.value.trim() !== (initial[input.name][0] || "").trim()) {
        var a = parseFloat(input.value), b = parseFloat(initial[input.name][0]);
        if (!(input.type === "number" && a === b)) dirty = true;
      }
    });
    Object.keys(checked).forEach(function (name) {
      var now = checked[name].slice().sort().join(",");
      var before = (initial[name] || []).filter(Boolean).sort().join(",");
      if (now !== before) dirty = true;
    });
    return dirty;
  }

  function track(form) {
    var count = 0;
    form.querySelectorAll(".ci-row").forEach(function (row) {
      var dirty = rowChanged(row);
      row.classList.toggle("is-changed", dirty);
      if (dirty) count += 1;
    });
    var label = form.querySelector(".ci-dirty");
    if (label) {
      label.textContent = count === 0 ? "" : count === 1
        ? label.getAttribute("data-one")
        : label.getAttribute("data-many").replace("%(count)s", String(count));
    }
  }

  function onEdit(event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-track-changes")) track(form);
  }
  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);

  // One submit at a time: a double click must not record two check-ins.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("#checkin-form")) return;
    if (form.dataset.submitting) { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    var button = form.querySelector("button[type=submit]");
    if (button && button.dataset.savingLabel) {
      button.dataset.label = button.textContent;
      setTimeout(function () { button.disabled = true; button.textContent = button.dataset.savingLabel; }, 0);
    }
  });

  // Keyboard hints that only hold with this script running.
  function showHints() {
    document.querySelectorAll("[data-js-hint][hidden]").forEach(function (hint) { hint.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", showHints);
  document.addEventListener("htmx:afterSettle", showHints);

  // A page restored from the back/forward cache starts fresh.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-track-changes]").forEach(function (form) {
      delete form.dataset.submitting;
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = false;
        if (button.dataset.label) button.textContent = button.dataset.label;
      }
      track(form);
    });
  });
})();
