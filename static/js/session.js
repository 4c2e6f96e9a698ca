// A timed session's page: counts down to the start or the next question in the reader's
// own time, shows each question the moment it is released (announced assertively), and
// reloads when the hosts change the clock (start, pause, resume, extend, end).
(function () {
  "use strict";

  function left(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    s = s % 60;
    if (h) return "in " + h + " h " + m + " min";
    if (m) return "in " + m + " min " + s + " s";
    return s ? "in " + s + " s" : "now";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var status = document.querySelector("[data-session-state]");
    if (!status) return;
    var state = status.getAttribute("data-session-state");
    var target = status.getAttribute(state === "upcoming" ? "data-starts" : "data-next-release");
    var countdown = status.querySelector("[data-countdown]");
    var timer = null;
    function countTo(iso) {
      if (timer) window.clearInterval(timer);
      if (!countdown || !iso) return;
      var at = new Date(iso).getTime();
      timer = window.setInterval(function () {
        var ms = at - Date.now();
        countdown.textContent = left(ms);
        if (ms <= 0) {
          window.clearInterval(timer);
          // The start: the page becomes the room. A question: a server process releases
          // it on time, and everyone hears of it over the socket.
          if (state === "upcoming") window.setTimeout(function () { location.reload(); }, 1000);
        }
      }, 1000);
    }
    countTo(status.getAttribute(state === "upcoming" ? "data-starts" : "data-next-release"));

    var list = document.querySelector("[data-questions]");
    document.addEventListener("staffroom:room-event", function (e) {
      var event = e.detail;
      if (event.kind === "question.released" && list) {
        var placeholder = list.querySelector("[data-no-questions]");
        if (placeholder) placeholder.remove();
        var item = document.getElementById("q" + event.number) || document.createElement("li");
        item.id = "q" + event.number;
        item.className = "";
        item.innerHTML = "<strong></strong> <div class=\"prose\"></div>";
        item.querySelector("strong").textContent = event.label;
        item.querySelector(".prose").innerHTML = event.html; // sanitised by render_markdown
        if (!item.parentNode) list.appendChild(item);
        var picker = document.querySelector("select[name=question]");
        if (picker && !picker.querySelector("option[value='" + event.number + "']")) {
          var option = document.createElement("option");
          option.value = event.number;
          var words = item.querySelector(".prose").textContent.trim();
          option.textContent = event.label + ": " + (words.length > 60 ? words.slice(0, 59) + "…" : words);
          picker.appendChild(option);
        }
        if (event.next_release_at) countTo(event.next_release_at);
        else status.textContent = "Live now: every question is out.";
      } else if (event.kind.indexOf("session.") === 0) {
        location.reload();
      }
    });
  });
})();
