// privacy-site quick exit. An external, deferred file: pages allow no inline script.
//
// Without JavaScript the quick-exit controls are ordinary links (rel="noreferrer", and the page
// sends no Referer at all). With it, leaving hides the whole page at once and uses
// location.replace, so Back does not return to the page the visitor left.
(function () {
  "use strict";
  var root = document.documentElement;
  var links = document.querySelectorAll("[data-quick-exit]");
  if (!links.length) return;
  var target = links[0].href;
  var overlay = document.querySelector("[data-quick-exit-overlay]");
  var status = document.querySelector("[data-quick-exit-status]");
  var bar = document.querySelector("[data-quick-exit-bar]");
  var PRESSES_NEEDED = 3;
  var MAX_GAP_MS = 5000;
  var presses = 0;
  var lastPress = 0;
  var shiftAlone = false;
  var expiry = null;

  function announce(text) {
    if (status) status.textContent = text;
  }

  function resetCount() {
    presses = 0;
    lastPress = 0;
    shiftAlone = false;
    if (expiry) window.clearTimeout(expiry);
    expiry = null;
    announce("");
  }

  function leave() {
    resetCount();
    root.classList.add("quick-exit-leaving");
    if (overlay) overlay.textContent = "Loading";
    try {
      window.location.replace(target);
    } catch (e) {
      window.location.href = target;
    }
  }

  links.forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      leave();
    });
    // role="button": Space works as well as Enter (which already fires click on a link).
    link.addEventListener("keydown", function (event) {
      if (event.key === " " || event.key === "Spacebar") {
        event.preventDefault();
        leave();
      }
    });
  });

  // Shift three times: a press counts when Shift goes up having been pressed on its own.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Shift") {
      if (!event.repeat) shiftAlone = !(event.ctrlKey || event.altKey || event.metaKey);
      return;
    }
    if (presses || shiftAlone) resetCount();
  }, true);

  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift" || !shiftAlone) return;
    shiftAlone = false;
    var now = Date.now();
    if (presses && now - lastPress > MAX_GAP_MS) presses = 0;
    presses += 1;
    lastPress = now;
    if (presses >= PRESSES_NEEDED) {
      leave();
      return;
    }
    var left = PRESSES_NEEDED - presses;
    announce("Shift, press " + left + " more " + (left === 1 ? "time" : "times") + " to exit.");
    if (expiry) window.clearTimeout(expiry);
    expiry = window.setTimeout(resetCount, MAX_GAP_MS);
  }, true);

  document.addEventListener("mousedown", function () {
    if (presses) resetCount();
  }, true);

  // Coming back through the back/forward cache must show the page, not the overlay.
  window.addEventListener("pageshow", function () {
    root.classList.remove("quick-exit-leaving");
    if (overlay) overlay.textContent = "";
    resetCount();
  });

  // Keep focused elements clear of the sticky bar (WCAG 2.4.11) even when its label wraps;
  // the stylesheet's scroll-padding is the fallback.
  function fitScrollPadding() {
    if (!bar) return;
    root.style.scrollPaddingTop = Math.ceil(bar.getBoundingClientRect().height) + 16 + "px";
  }
  fitScrollPadding();

  // A table wider than the screen scrolls inside its own box. Keyboard users can only scroll a
  // box they can focus, so an overflowing table gets a named, focusable wrapper.
  var wrappers = [];
  document.querySelectorAll("main table").forEach(function (table, index) {
    var wrapper = document.createElement("div");
    wrapper.className = "table-scroll";
    table.parentNode.insertBefore(wrapper, table);
    wrapper.appendChild(table);
    var caption = table.querySelector("caption");
    wrapper.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table " + (index + 1));
    wrappers.push(wrapper);
  });
  function fitTables() {
    wrappers.forEach(function (wrapper) {
      if (wrapper.scrollWidth > wrapper.clientWidth + 1) {
        wrapper.setAttribute("tabindex", "0");
        wrapper.setAttribute("role", "region");
      } else {
        wrapper.removeAttribute("tabindex");
        wrapper.removeAttribute("role");
      }
    });
  }
  // Code blocks scroll sideways too; a focusable one can be scrolled with the arrow keys.
  var blocks = document.querySelectorAll("main pre");
  function fitBlocks() {
    blocks.forEach(function (pre) {
      if (pre.scrollWidth > pre.clientWidth + 1) pre.setAttribute("tabindex", "0");
      else pre.removeAttribute("tabindex");
    });
  }
  fitTables();
  fitBlocks();
  window.addEventListener("resize", function () {
    fitBlocks();
    fitScrollPadding();
    fitTables();
  });
})();
