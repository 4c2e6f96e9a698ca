// Starting an inquiry cycle: suggested modules update as the teacher types their focus
// question. Without this file the "Suggest modules" button does the same on the server.
(function () {
  "use strict";
  var DELAY = 400; // ms after the last keystroke

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-cycle-start]");
    if (!form) return;
    var source = form.querySelector("[data-suggest-source]");
    var target = form.querySelector("[data-suggestions]");
    if (!source || !target || !window.fetch) return;
    var timer = null;
    var asked = "";
    var latest = 0;

    function chosen() {
      var picked = target.querySelector("input[name=module]:checked");
      return picked ? picked.value : "";
    }

    function suggest() {
      var text = source.value.trim();
      if (text === asked) return;
      asked = text;
      var ticket = ++latest;
      var url = form.dataset.suggestUrl + "?q=" + encodeURIComponent(text) +
        "&module=" + encodeURIComponent(chosen());
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          // Only the answer to the latest question counts (answers can arrive out of order).
          if (html !== null && ticket === latest) target.innerHTML = html;
        })
        .catch(function () { /* offline: the button still works */ });
    }

    source.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, DELAY);
    });
    if (source.value.trim()) suggest();
  });
})();
