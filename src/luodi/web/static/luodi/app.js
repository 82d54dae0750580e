// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Close an open <details class="menu"> when clicking elsewhere or pressing Escape.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
    });
    document.querySelectorAll("dialog[open]").forEach(function (dialog) { dialog.close(); });
  });
  // <button data-dialog="id"> opens the <dialog id="id">.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-dialog]");
    if (!opener) return;
    var dialog = document.getElementById(opener.getAttribute("data-dialog"));
    if (dialog && dialog.showModal) { event.preventDefault(); dialog.showModal(); }
  });
})();
