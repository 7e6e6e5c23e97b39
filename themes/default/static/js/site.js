// privacy-site default theme script. Loaded as an external file (no inline script), deferred.
(function () {
  "use strict";
  function leave(event) {
    var link = event.currentTarget;
    if (event) event.preventDefault();
    document.documentElement.classList.add("quick-exit-leaving");
    window.location.replace(link.href);
  }
  document.querySelectorAll("[data-quick-exit]").forEach(function (link) {
    link.addEventListener("click", leave);
  });
})();
