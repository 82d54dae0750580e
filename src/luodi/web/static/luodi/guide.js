// Highlight the table-of-contents entry of the section being read. Optional sugar.
(function () {
  "use strict";
  if (!("IntersectionObserver" in window)) return;
  var links = {};
  document.querySelectorAll(".guide-toc a[href^='#']").forEach(function (a) {
    links[a.getAttribute("href").slice(1)] = a;
  });
  var observer = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting || !links[entry.target.id]) return;
      Object.keys(links).forEach(function (id) { links[id].classList.remove("is-current"); });
      links[entry.target.id].classList.add("is-current");
    });
  }, { rootMargin: "-20% 0px -70% 0px" });
  document.querySelectorAll(".guide-body section[id]").forEach(function (s) { observer.observe(s); });
})();
