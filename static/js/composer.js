// The composer keeps a draft in the browser, so a refresh or a lost connection loses
// nothing. Drafts are per form (data-draft-key) and cleared when the form is sent.
(function () {
  "use strict";
  var PREFIX = "staffroom-draft:";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-draft-key]").forEach(function (form) {
      var key = PREFIX + form.dataset.draftKey;
      var fields = form.querySelectorAll("textarea, input[type=text]");
      var saved = {};
      try { saved = JSON.parse(window.localStorage.getItem(key) || "{}"); } catch (e) { saved = {}; }
      fields.forEach(function (field) {
        // The server's value wins when it has one (a form sent back with an error).
        if (!field.value.trim() && saved[field.name]) field.value = saved[field.name];
        field.addEventListener("input", function () {
          var draft = {};
          fields.forEach(function (f) { if (f.value.trim()) draft[f.name] = f.value; });
          try { window.localStorage.setItem(key, JSON.stringify(draft)); } catch (e) { /* storage full or off */ }
        });
      });
      form.addEventListener("submit", function () {
        try { window.localStorage.removeItem(key); } catch (e) { /* ignore */ }
      });
    });
  });
})();
