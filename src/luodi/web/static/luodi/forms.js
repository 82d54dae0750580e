// OKR forms: kind-specific fields, repeating rows, the reason field and the alignment picker.
// Everything here is an enhancement: without JavaScript every button posts the form back and
// the server re-renders it with what was typed.
(function () {
  "use strict";
  document.documentElement.classList.add("js-forms");

  function $(selector, root) { return (root || document).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  // --- kind-specific fields --------------------------------------------------------------
  function applyKind(form) {
    var checked = $("input[name=kind]:checked", form);
    if (!checked) return;
    $all("[data-kinds]", form).forEach(function (el) {
      var kinds = el.getAttribute("data-kinds").split(" ");
      el.hidden = kinds.indexOf(checked.value) === -1;
    });
    $all(".kind-option", form).forEach(function (label) {
      var input = $("input", label);
      label.classList.toggle("is-checked", !!(input && input.checked));
    });
  }

  // --- repeating rows ----------------------------------------------------------------------
  function nextIndex(container) {
    var n = parseInt(container.getAttribute("data-next-index") || "0", 10);
    container.setAttribute("data-next-index", String(n + 1));
    return n;
  }

  function rowFromTemplate(templateId, container) {
    var template = document.getElementById(templateId);
    if (!template) return null;
    var html = template.innerHTML.replace(/__N__/g, String(nextIndex(container)));
    var holder = document.createElement("ul");
    holder.innerHTML = html.trim();
    return holder.firstElementChild;
  }

  function addRow(button) {
    var prefix = button.getAttribute("data-row-add");
    var fieldset = button.closest("[data-rows]");
    var list = document.getElementById(prefix + "-rows");
    if (!fieldset || !list) return;
    var row = rowFromTemplate(prefix + "-template", fieldset);
    if (!row) return;
    list.appendChild(row);
    var first = $("input:not([type=hidden])", row);
    if (first) first.focus();
  }

  function removeRow(button) {
    var row = button.closest("li");
    if (!row) return;
    var list = row.parentElement;
    var next = row.nextElementSibling || row.previousElementSibling;
    row.remove();
    if (list && list.id === "al-rows") {
      syncAlignmentEmpty();
      announce(button.getAttribute("aria-label") || "");
    }
    var focusTarget = next ? $("input:not([type=hidden]), select", next) : null;
    if (!focusTarget && list) {
      var scope = list.closest("fieldset");
      focusTarget = scope ? $("[data-row-add], #al-q", scope) : null;
    }
    if (focusTarget) focusTarget.focus();
  }

  // --- reason for a start/target change after the cycle has started ----------------------
  function syncReason(form) {
    if (form.getAttribute("data-cycle-started") !== "1") return;
    var box = $(".field-reason", form);
    if (!box) return;
    var start = $("[name=start]", form), target = $("[name=target]", form);
    var reason = $("[name=reason]", form);
    var moved = (start && normal(start.value) !== normal(form.getAttribute("data-original-start"))) ||
      (target && normal(target.value) !== normal(form.getAttribute("data-original-target")));
    var keep = box.classList.contains("has-error") || (reason && reason.value.trim() !== "") ||
      $(".has-error", box);
    box.hidden = !(moved || keep);
  }

  function normal(text) {
    var value = String(text || "").trim().replace(",", ".");
    var number = parseFloat(value);
    return value === "" || isNaN(number) ? value : String(number);
  }

  // --- alignment picker (a combobox with a listbox of results) -----------------------------
  function options() { return $all("#al-results [role=option]"); }

  function setActive(index) {
    var list = options();
    var input = $("#al-q");
    list.forEach(function (option, i) {
      var on = i === index;
      option.classList.toggle("is-active", on);
      option.setAttribute("aria-selected", on ? "true" : "false");
      if (on) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    });
    if (index < 0 && input) input.removeAttribute("aria-activedescendant");
  }

  // aria-selected, not the class: htmx's settling may put back a swapped option's class.
  function activeIndex() {
    return options().findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
  }

  function openList(open) {
    var results = $("#al-results"), input = $("#al-q");
    if (!results || !input) return;
    var show = open && results.children.length > 0;
    results.hidden = !show;
    input.setAttribute("aria-expanded", show ? "true" : "false");
    if (!show) setActive(-1);
  }

  function announce(text) {
    var live = $("#al-live");
    if (live) live.textContent = text;
  }

  function syncAlignmentEmpty() {
    var rows = $("#al-rows"), empty = $("#al-empty");
    if (rows && empty) empty.hidden = rows.children.length > 0;
  }

  function choose(option) {
    var parent = option.getAttribute("data-parent");
    var rows = $("#al-rows"), picker = $("#alignment-picker");
    if (!rows || !picker) return;
    var existing = $all(".al-row", rows).filter(function (r) { return r.getAttribute("data-parent") === parent; })[0];
    if (existing) {
      var type = $("select", existing);
      if (type) type.focus();
      openList(false);
      return;
    }
    var row = rowFromTemplate("al-row-template", picker);
    if (!row) return;
    row.setAttribute("data-parent", parent);
    $("input[type=hidden]", row).value = parent;
    [["badge", "data-badge"], ["title", "data-title"], ["meta", "data-meta"], ["progress", "data-progress"]].forEach(function (pair) {
      var slot = $("[data-slot=" + pair[0] + "]", row);
      if (slot) slot.textContent = option.getAttribute(pair[1]) || "";
    });
    var title = option.getAttribute("data-title") || "";
    var remove = $("[data-row-remove]", row);
    if (remove) remove.setAttribute("aria-label", remove.getAttribute("aria-label") + ": " + title);
    if (option.getAttribute("data-supports-only") === "1") {
      var select = $("select", row);
      select.value = "supports";
      select.options[0].disabled = true;
      var note = $("[data-slot=note]", row);
      if (note) note.hidden = false;
    }
    rows.appendChild(row);
    syncAlignmentEmpty();
    var input = $("#al-q");
    input.value = "";
    openList(false);
    announce(title);
    input.focus();
  }

  function onPickerKey(event) {
    var list = options();
    var index = activeIndex();
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if ($("#al-results").hidden) openList(true);
      setActive(list.length ? (index + 1) % list.length : -1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive(list.length ? (index <= 0 ? list.length - 1 : index - 1) : -1);
    } else if (event.key === "Enter") {
      event.preventDefault(); // never submit the whole form from the search box
      if (index >= 0 && !$("#al-results").hidden) choose(list[index]);
    } else if (event.key === "Escape") {
      if (!$("#al-results").hidden) { event.preventDefault(); event.stopPropagation(); openList(false); }
    }
  }

  // --- wiring --------------------------------------------------------------------------
  function focusFirstError(root) {
    var invalid = $("[aria-invalid=true]", root);
    var summary = $("#form-summary", root);
    if (invalid && !invalid.closest("[hidden]")) invalid.focus();
    else if (summary) summary.focus();
  }

  function init(root) {
    var forms = root.matches && root.matches("form.okr-form") ? [root] : $all("form.okr-form", root);
    forms.forEach(function (form) {
      applyKind(form);
      syncReason(form);
    });
    if (forms.length && $("#form-summary", root.matches ? root : document)) focusFirstError(root);
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form.okr-form");
    if (!form) return;
    if (event.target.name === "kind") applyKind(form);
    if (event.target.name === "cycle") {
      var results = $("#al-results");
      if (results) { results.innerHTML = ""; openList(false); }
    }
  });

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form.okr-form");
    if (form && (event.target.name === "start" || event.target.name === "target" || event.target.name === "reason")) {
      syncReason(form);
    }
  });

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-row-add]");
    if (add) { event.preventDefault(); addRow(add); return; }
    var remove = event.target.closest("[data-row-remove]");
    if (remove) { event.preventDefault(); removeRow(remove); return; }
    var option = event.target.closest("#al-results [role=option]");
    if (option) { event.preventDefault(); choose(option); return; }
    var combobox = $("#al-combobox");
    if (combobox && !combobox.contains(event.target)) openList(false);
  });

  // Keep focus in the search box while clicking an option.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest("#al-results [role=option]")) event.preventDefault();
  });

  document.addEventListener("keydown", function (event) {
    if (event.target.id === "al-q") onPickerKey(event);
  });

  document.addEventListener("focusout", function (event) {
    if (event.target.id !== "al-q") return;
    setTimeout(function () {
      var combobox = $("#al-combobox");
      if (combobox && !combobox.contains(document.activeElement)) openList(false);
    }, 120);
  });

  // After settling: until then htmx may still rewrite the new options' class attributes.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail && event.detail.target && event.detail.target.id === "al-results") {
      openList(document.activeElement && document.activeElement.id === "al-q");
      if ($("#al-results [role=option]")) setActive(-1);
    }
  });

  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target !== document.body) init(event.target);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
