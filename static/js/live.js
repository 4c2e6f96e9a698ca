// The one live connection of a tab (docs/realtime.md). Pages register streams with
// StaffroomLive.on(stream, after, handler); this file keeps the socket open, resumes
// after the last seq it saw, drops duplicates and repairs gaps over HTTP.
(function () {
  "use strict";
  if (!document.body || !document.body.hasAttribute("data-live")) return;

  var handlers = {}; // stream -> function(events)
  var last = {}; // stream -> last seq handled (undefined: "from now on")
  var repairing = {};
  var replies = {}; // client_id -> callback(ack or error frame)
  var presenceHandlers = {}; // stream -> function({count, names})
  var socket = null;
  var backoff = 500;
  var stall = null;

  function socketUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/live/";
  }

  function connect() {
    socket = new WebSocket(socketUrl());
    socket.onopen = function () {
      backoff = 500;
      Object.keys(handlers).forEach(subscribe);
      watch();
    };
    socket.onmessage = function (message) {
      watch();
      var frame;
      try { frame = JSON.parse(message.data); } catch (e) { return; }
      if (frame.type === "events") deliver(frame.stream, frame.events);
      else if ((frame.type === "ack" || frame.type === "error") && replies[frame.client_id]) {
        var reply = replies[frame.client_id];
        delete replies[frame.client_id];
        reply(frame);
      }
      else if (frame.type === "reset" || frame.type === "revoked") location.reload();
      else if (frame.type === "presence" && presenceHandlers[frame.stream]) {
        presenceHandlers[frame.stream](frame);
      }
      else if (frame.type === "hb") {
        // Events up to a head may still be on their way: repair only if still behind it
        // a few seconds later (a stalled stream, not one in flight).
        Object.keys(frame.heads || {}).forEach(function (stream) {
          var head = frame.heads[stream];
          if (head <= (last[stream] || 0)) return;
          window.setTimeout(function () {
            if (head > (last[stream] || 0)) repair(stream);
          }, 5000);
        });
      }
    };
    socket.onclose = function (event) {
      window.clearTimeout(stall);
      if (event.code === 4401) {
        // Signed out (elsewhere, by a new password, or the account closed): stop, and say
        // so. Not a reload: it would race the page this tab may be going to (and lose its
        // message), and a page served with a refused socket would reload for ever.
        var toasts = document.querySelector("[data-live-toasts]");
        if (toasts) {
          var note = document.createElement("a");
          note.className = "toast";
          note.href = "/accounts/login/?next=" + encodeURIComponent(location.pathname);
          note.textContent = "You have been signed out: live updates have stopped. Sign in again.";
          toasts.appendChild(note);
        }
        return;
      }
      if (event.code === 4429) backoff = 30000; // too many tabs open: wait for one to close
      // Exponential backoff with jitter, so a restarted server isn't stampeded.
      var wait = backoff * (0.5 + Math.random());
      backoff = Math.min(backoff * 2, 30000);
      window.setTimeout(connect, wait);
    };
  }

  // The server beats every 25 s: silence for 40 s means a stalled connection.
  function watch() {
    window.clearTimeout(stall);
    stall = window.setTimeout(function () { if (socket) socket.close(); }, 40000);
  }

  function subscribe(stream) {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    var frame = { type: "subscribe", stream: stream };
    if (last[stream] !== undefined) frame.after = last[stream];
    socket.send(JSON.stringify(frame));
  }

  function deliver(stream, events) {
    if (!handlers[stream]) return;
    var seen = last[stream] || 0;
    var fresh = (events || []).filter(function (e) { return e.seq > seen; });
    if (!fresh.length) return;
    if (last[stream] !== undefined && fresh[0].seq !== seen + 1) { repair(stream); return; }
    last[stream] = fresh[fresh.length - 1].seq;
    handlers[stream](fresh);
  }

  function repair(stream) {
    if (repairing[stream] || last[stream] === undefined) return;
    repairing[stream] = true;
    var url = "/live/history/?stream=" + encodeURIComponent(stream) + "&after=" + last[stream];
    fetch(url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (body) {
        repairing[stream] = false;
        if (body.reset) { location.reload(); return; }
        deliver(stream, body.events);
      })
      .catch(function () { repairing[stream] = false; });
  }

  window.StaffroomLive = {
    // Send a frame that carries a client_id; `reply` gets the ack or the error.
    send: function (frame, reply) {
      if (!socket || socket.readyState !== WebSocket.OPEN) {
        reply({ type: "error", code: "offline", detail: "Not connected: try again." });
        return;
      }
      replies[frame.client_id] = reply;
      socket.send(JSON.stringify(frame));
    },
    onPresence: function (stream, handler) { presenceHandlers[stream] = handler; },
    on: function (stream, after, handler) {
      handlers[stream] = handler;
      if (after !== null && after !== undefined && after !== "") last[stream] = Number(after);
      subscribe(stream);
    }
  };

  document.addEventListener("DOMContentLoaded", function () {
    // The personal stream: the notification count and a polite toast.
    var count = document.querySelector("[data-live-unread]");
    var toasts = document.querySelector("[data-live-toasts]");
    window.StaffroomLive.on("user", null, function (events) {
      events.forEach(function (event) {
        if (event.kind !== "notification.new") return;
        if (count) {
          count.textContent = String(Number(count.textContent || 0) + 1);
          count.hidden = false;
        }
        if (toasts) {
          var toast = document.createElement("a");
          toast.className = "toast";
          toast.href = "/notifications/" + event.id + "/";
          toast.textContent = event.text;
          toasts.appendChild(toast);
          window.setTimeout(function () { toast.remove(); }, 8000);
        }
      });
    });
  });

  connect();
})();
