// @ mentions: while typing "@pre" in a comment box, a listbox of the people who may see the
// objective (asked from the server) opens under it. Arrow keys move, Enter or Tab picks,
// Escape closes. Without JavaScript, "@Full Name" or "@email" typed out works the same.
(function () {
  "use strict";

  var TRIGGER = /(^|[\s(])@([^\s@]{0,40})$/;
  var state = { input: null, list: null, start: -1, timer: null, seq: 0 };

  function urlFor(input) {
    var holder = input.closest("[data-mentions-url]");
    return holder ? holder.getAttribute("data-mentions-url") : null;
  }

  function options() {
    return state.list ? Array.prototype.slice.call(state.list.querySelectorAll("[role=option]")) : [];
  }

  function activeIndex() {
    return options().findIndex(function (o) { return o.getAttribute("aria-selected") === "true"; });
  }

  function setActive(index) {
    var list = options();
    list.forEach(function (option, i) {
      var on = i === index;
      option.setAttribute("aria-selected", on ? "true" : "false");
      if (on) {
        state.input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    });
    if (index < 0 && state.input) state.input.removeAttribute("aria-activedescendant");
  }

  function close() {
    if (state.list) state.list.remove();
    if (state.input) {
      state.input.setAttribute("aria-expanded", "false");
      state.input.removeAttribute("aria-activedescendant");
    }
    state.list = null;
    state.start = -1;
  }

  function ensureList(input) {
    if (state.list && state.input === input) return state.list;
    close();
    var list = document.createElement("ul");
    list.id = input.id + "-mentions";
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.getAttribute("data-mentions-label") || "People");
    (input.parentNode || input).appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "true");
    state.input = input;
    state.list = list;
    return list;
  }

  function lookup(input) {
    var before = input.value.slice(0, input.selectionStart);
    var match = TRIGGER.exec(before);
    if (!match) { close(); return; }
    var url = urlFor(input);
    if (!url) return;
    var start = before.length - match[2].length - 1;
    var seq = ++state.seq;
    clearTimeout(state.timer);
    state.timer = setTimeout(function () {
      fetch(url + "?q=" + encodeURIComponent(match[2]), {
        credentials: "same-origin",
        headers: { "HX-Request": "true" },
      })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          if (seq !== state.seq || document.activeElement !== input) return; // a newer answer is coming
          var list = ensureList(input);
          list.innerHTML = html; // server-rendered, escaped by the template
          state.start = start;
          setActive(options().length ? 0 : -1);
        })
        .catch(close);
    }, 120);
  }

  function choose(option) {
    var input = state.input;
    if (!input || !option || state.start < 0) return;
    var name = option.getAttribute("data-insert");
    var caret = input.selectionStart;
    var text = "@" + name + " ";
    input.value = input.value.slice(0, state.start) + text + input.value.slice(caret);
    var at = state.start + text.length;
    close();
    input.focus();
    input.setSelectionRange(at, at);
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.matches && input.matches("textarea[data-mentions]")) lookup(input);
  });

  document.addEventListener("keydown", function (event) {
    if (!state.list || event.target !== state.input) return;
    var list = options();
    if (!list.length) { if (event.key === "Escape") close(); return; }
    var index = activeIndex();
    if (event.key === "ArrowDown") {
      event.preventDefault();
      setActive((index + 1) % list.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive(index <= 0 ? list.length - 1 : index - 1);
    } else if ((event.key === "Enter" || event.key === "Tab") && index >= 0) {
      event.preventDefault();
      choose(list[index]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });

  // mousedown, not click: the textarea keeps its focus and caret.
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".mention-list [role=option]");
    if (option) {
      event.preventDefault();
      choose(option);
    }
  });

  document.addEventListener("focusout", function (event) {
    if (event.target === state.input) setTimeout(function () {
      if (document.activeElement !== state.input) close();
    }, 150);
  });
})();
