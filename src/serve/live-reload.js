// privacy-site serve: reloads the page when a new build (good or failed) is ready.
// Added only by `serve`; the published site never includes it.
(function () {
  "use strict";
  if (typeof EventSource === "undefined") { return; }
  var seen = null;
  var source = new EventSource("/__privacy-site/events");
  source.addEventListener("build", function (event) {
    if (seen === null) { seen = event.data; return; }
    if (event.data !== seen) { window.location.reload(); }
  });
})();
