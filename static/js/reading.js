// A session's page for every reader: "questions only" (the message log hidden), the text
// size, both remembered in this browser, and Print on the archive. Without this file the
// "Questions only" link (?view=prompts), the browser's zoom and its own Print do the same.
(function () {
  "use strict";
  var SIZES = ["text-smaller", "", "text-larger", "text-largest"]; // classes on the page
  var NAMES = ["smaller", "standard", "larger", "largest"];
  var STANDARD = 1;

  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function save(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* private mode: the choice lasts for this page only */ }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var page = document.querySelector(".session-page");
    if (!page) return;

    // Text size: A− / A / A+ step through SIZES.
    var stored = load("staffroom:text-size");
    var size = stored === null ? STANDARD : Number(stored);
    if (!(size >= 0 && size < SIZES.length)) size = STANDARD;
    var sizer = page.querySelector("[data-text-size]");
    var sizeStatus = page.querySelector("[data-text-size-status]");
    function applySize(announce) {
      SIZES.forEach(function (name) { if (name) page.classList.remove(name); });
      if (SIZES[size]) page.classList.add(SIZES[size]);
      if (sizer) {
        sizer.querySelectorAll("[data-text-size-step]").forEach(function (button) {
          var step = Number(button.getAttribute("data-text-size-step"));
          var stuck = (step < 0 && size === 0) || (step > 0 && size === SIZES.length - 1);
          // aria-disabled, not disabled: the button keeps its focus and says why.
          button.setAttribute("aria-disabled", stuck ? "true" : "false");
        });
      }
      if (announce && sizeStatus) sizeStatus.textContent = "Text size: " + NAMES[size] + ".";
    }
    applySize(false);
    if (sizer) {
      sizer.hidden = false;
      sizer.addEventListener("click", function (event) {
        var button = event.target.closest("[data-text-size-step]");
        if (!button) return;
        var step = Number(button.getAttribute("data-text-size-step"));
        size = step === 0 ? STANDARD : Math.min(SIZES.length - 1, Math.max(0, size + step));
        save("staffroom:text-size", size === STANDARD ? null : String(size));
        applySize(true);
      });
    }

    // Questions only: the button replaces the link and hides the log without a reload.
    var toggle = page.querySelector("[data-prompts-toggle]");
    var link = page.querySelector("[data-prompts-link]");
    function setPrompts(on) {
      page.classList.toggle("prompts-only", on);
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
    }
    if (toggle) {
      toggle.hidden = false;
      if (link) link.hidden = true;
      setPrompts(load("staffroom:prompts-only") === "1");
      toggle.addEventListener("click", function () {
        var on = !page.classList.contains("prompts-only");
        setPrompts(on);
        save("staffroom:prompts-only", on ? "1" : null);
      });
    }
    // The server's questions-only page: going back to the messages forgets the choice.
    var back = page.querySelector("[data-show-messages]");
    if (back) back.addEventListener("click", function () { save("staffroom:prompts-only", null); });

    // That page, and the page before the start, have no message log, so nobody else
    // listens to the room: listen here and pass the session's events (questions, the
    // clock: a host's early start reloads the waiting page) on to session.js.
    var prompts = page.querySelector("[data-prompts-stream]");
    if (prompts && window.StaffroomLive && !document.querySelector("[data-chat-stream]")) {
      window.StaffroomLive.on(
        prompts.getAttribute("data-prompts-stream"),
        prompts.getAttribute("data-live-after"),
        function (events) {
          events.forEach(function (event) {
            if (event.kind.indexOf("message.") === 0 || event.kind.indexOf("room.") === 0) return;
            document.dispatchEvent(new CustomEvent("staffroom:room-event", { detail: event }));
          });
        }
      );
    }

    var print = page.querySelector("[data-print]");
    if (print) {
      print.hidden = false;
      print.addEventListener("click", function () { window.print(); });
    }
  });
})();
