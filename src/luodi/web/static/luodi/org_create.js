// Suggest a web address from a Latin-letter name until the person types one themselves.
(function () {
  "use strict";
  var name = document.getElementById("id_name");
  var slug = document.getElementById("id_slug");
  var preview = document.querySelector("[data-slug-preview]");
  if (!name || !slug) return;
  var touched = slug.value !== "";
  function slugify(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 50).replace(/-+$/g, "");
  }
  function show() { if (preview) preview.textContent = slug.value || "…"; }
  name.addEventListener("input", function () {
    if (!touched) { slug.value = slugify(name.value); show(); }
  });
  slug.addEventListener("input", function () { touched = slug.value !== ""; show(); });
})();
