// An open thread page updates itself: new replies, edits, hides and reactions arrive
// rendered by the same template as the page (GET /p/<id>/fragment/).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var posts = document.querySelector("[data-live-stream]");
    if (!posts || !window.StaffroomLive) return;
    var onLastPage = posts.getAttribute("data-live-last-page") === "1";
    var bar = document.querySelector("[data-new-replies]");
    var waiting = 0;
    var queue = Promise.resolve();

    function fragment(id) {
      return fetch("/p/" + id + "/fragment/", { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; });
    }

    function readingAbove() {
      return window.scrollY + window.innerHeight < document.documentElement.scrollHeight - 400;
    }

    function announce() {
      waiting += 1;
      if (!bar) return;
      bar.textContent = waiting === 1 ? "1 new reply" : waiting + " new replies";
      bar.hidden = false;
    }

    function apply(event) {
      var existing = document.getElementById("post-" + event.number);
      if (existing) {
        return fragment(event.post).then(function (html) { if (html) existing.outerHTML = html; });
      }
      if (event.kind !== "post.new") return null;
      if (!onLastPage) { announce(); return null; }
      return fragment(event.post).then(function (html) {
        if (!html) return;
        var above = readingAbove();
        posts.insertAdjacentHTML("beforeend", html);
        if (above) announce();
      });
    }

    if (bar) {
      bar.addEventListener("click", function (e) {
        if (!onLastPage) return; // the link jumps to the first unread reply
        e.preventDefault();
        waiting = 0;
        bar.hidden = true;
        var newest = posts.lastElementChild;
        if (newest) newest.scrollIntoView({ block: "start" });
      });
    }

    window.StaffroomLive.on(posts.getAttribute("data-live-stream"),
      posts.getAttribute("data-live-after"), function (events) {
        events.forEach(function (event) {
          queue = queue.then(function () { return apply(event); }).catch(function () {});
        });
      });
  });
})();
