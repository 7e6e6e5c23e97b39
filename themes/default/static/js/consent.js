// privacy-site consent: the banner, the settings form and scripts gated on consent.
//
// The choice is one localStorage record, written only when the visitor saves or answers the
// banner. No cookie is ever set. The build writes the categories, their scripts and a version
// derived from them into data-consent on <body>; a record made for another version is ignored,
// so changed categories ask again.
(function () {
  "use strict";
  var KEY = "privacy-site-consent";
  var config;
  try {
    config = JSON.parse(document.body.getAttribute("data-consent") || "{}");
  } catch (e) {
    config = {};
  }
  var categories = Array.isArray(config.categories) ? config.categories : [];
  if (!categories.length) return;
  var gpc = navigator.globalPrivacyControl === true;

  function readRecord() {
    try {
      var record = JSON.parse(window.localStorage.getItem(KEY) || "null");
      if (record && record.version === config.version && record.choices && typeof record.choices === "object") return record;
    } catch (e) {
      // Storage blocked or corrupt: behave as if no choice was made.
    }
    return null;
  }

  function saveRecord(choices) {
    var record = { choices: choices, version: config.version, savedAt: new Date().toISOString() };
    try {
      window.localStorage.setItem(KEY, JSON.stringify(record));
    } catch (e) {
      // Storage blocked: the choice holds for this page only.
    }
    return record;
  }

  function allowed(record, id) {
    return Boolean(record && record.choices[id] === true);
  }

  var injected = {};
  function loadScripts(record) {
    categories.forEach(function (category) {
      if (!allowed(record, category.id)) return;
      (category.scripts || []).forEach(function (src) {
        if (injected[src]) return;
        injected[src] = true;
        var script = document.createElement("script");
        script.src = src;
        script.async = true;
        script.setAttribute("data-consent-category", category.id);
        document.head.appendChild(script);
      });
    });
  }

  function everything(value) {
    var choices = {};
    categories.forEach(function (category) {
      choices[category.id] = value;
    });
    return choices;
  }

  var record = readRecord();
  loadScripts(record);

  var banner = document.querySelector("[data-consent-banner]");
  if (banner && !record && !gpc) {
    var question = banner.querySelector("[data-consent-question]");
    var confirmation = banner.querySelector("[data-consent-confirmation]");
    banner.querySelectorAll("[data-consent-choice]").forEach(function (button) {
      button.addEventListener("click", function () {
        var answer = button.getAttribute("data-consent-choice");
        record = saveRecord(everything(answer === "accept"));
        question.hidden = true;
        confirmation.querySelectorAll("[data-consent-confirm]").forEach(function (p) {
          p.hidden = p.getAttribute("data-consent-confirm") !== answer;
        });
        confirmation.hidden = false;
        confirmation.focus();
        loadScripts(record);
      });
    });
    banner.hidden = false;
  }

  var form = document.querySelector("[data-consent-form]");
  if (form) {
    var notice = document.querySelector("[data-consent-gpc]");
    if (notice && gpc) notice.hidden = false;
    categories.forEach(function (category) {
      var yes = form.querySelector("#consent-" + category.id + "-yes");
      var no = form.querySelector("#consent-" + category.id + "-no");
      if (!yes || !no) return;
      var on = allowed(record, category.id);
      yes.checked = on;
      no.checked = !on;
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var choices = {};
      categories.forEach(function (category) {
        var yes = form.querySelector("#consent-" + category.id + "-yes");
        choices[category.id] = Boolean(yes && yes.checked);
      });
      record = saveRecord(choices);
      var saved = document.querySelector("[data-consent-saved]");
      if (saved) {
        saved.hidden = false;
        saved.focus();
      }
      loadScripts(record);
    });
    form.hidden = false;
  }
})();
