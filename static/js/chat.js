// A chat room: messages arrive live (rendered by the same _message.html as the page);
// your own appear at once as pending, are confirmed by the ack, and can be retried.
(function () {
  "use strict";
  var timeZone = document.body.getAttribute("data-timezone") || undefined;
  // The zone's name as the server writes it everywhere else ("EAT", "BST").
  var zoneLabel = document.body.getAttribute("data-timezone-label") || "";

  function localTimes(node) {
    // A message rendered for someone else shows their zone: show ours.
    node.querySelectorAll("time[datetime]").forEach(function (time) {
      try {
        time.textContent = new Intl.DateTimeFormat("en-GB", {
          hour: "2-digit", minute: "2-digit", timeZone: timeZone
        }).format(new Date(time.getAttribute("datetime"))) + " " + zoneLabel;
      } catch (e) { /* leave the server's text */ }
    });
  }

  function fromHtml(html) {
    var holder = document.createElement("ol");
    holder.innerHTML = html.trim();
    var node = holder.firstElementChild;
    localTimes(node);
    return node;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var log = document.querySelector("[data-chat-stream]");
    if (!log || !window.StaffroomLive) return;
    var form = document.querySelector("[data-chat-form]");
    var stream = log.getAttribute("data-chat-stream");
    var after = log.getAttribute("data-live-after");
    if (after === "") return; // an earlier page of history: not live

    var me = log.getAttribute("data-me");
    var canModerate = log.hasAttribute("data-can-moderate");
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");

    function postButton(action, label) {
      var f = document.createElement("form");
      f.method = "post";
      f.action = action;
      var t = document.createElement("input");
      t.type = "hidden";
      t.name = "csrfmiddlewaretoken";
      t.value = token ? token.value : "";
      var button = document.createElement("button");
      button.type = "submit";
      button.className = "link-button";
      button.textContent = label;
      f.appendChild(t);
      f.appendChild(button);
      return f;
    }

    // Pushed messages are rendered for everyone: add this reader's own controls.
    function addTools(node) {
      if (node.querySelector(".chat-tools") || node.classList.contains("chat-gone")) return;
      var id = node.id.replace("message-", "");
      var mine = node.getAttribute("data-author") === me;
      if (!id || (!mine && !canModerate)) return;
      var tools = document.createElement("span");
      tools.className = "post-tools chat-tools";
      if (mine) {
        var edit = document.createElement("a");
        edit.href = "/chat/" + id + "/edit/";
        edit.textContent = "Edit";
        tools.appendChild(edit);
        tools.appendChild(postButton("/chat/" + id + "/delete/", "Delete"));
      }
      if (canModerate) {
        var pinned = node.classList.contains("chat-pinned");
        tools.appendChild(postButton("/chat/" + id + "/pin/", pinned ? "Stop highlighting" : "Highlight"));
        tools.appendChild(postButton("/chat/" + id + "/hide/", "Hide"));
      }
      node.appendChild(tools);
    }

    function nearBottom() {
      return window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 200;
    }

    function place(node, replacing) {
      var empty = log.querySelector(".chat-empty");
      if (empty) empty.remove();
      var stick = nearBottom();
      if (replacing) replacing.replaceWith(node); else log.appendChild(node);
      if (stick) node.scrollIntoView({ block: "end" });
    }

    var here = document.querySelector("[data-presence]");
    if (here) {
      window.StaffroomLive.onPresence(stream, function (frame) {
        var names = frame.names.join(", ");
        var more = frame.count > frame.names.length ? " and " + (frame.count - frame.names.length) + " more" : "";
        here.textContent = frame.count + " here now" + (names ? ": " + names + more : "");
      });
    }

    var notice = document.querySelector("[data-room-notice]");

    // Moderators closed or reopened the room, or changed slow mode: say so, and hide the
    // composer from members while the room is closed.
    function roomState(event) {
      if (notice) {
        notice.textContent = event.notice;
        notice.hidden = !event.notice;
      }
      if (form && !canModerate) form.hidden = event.closed;
    }

    window.StaffroomLive.on(stream, after, function (events) {
      events.forEach(function (event) {
        if (event.kind.indexOf("room.") === 0) return roomState(event);
        if (event.kind.indexOf("message.") !== 0) {
          // Not ours (a session's questions and clock): whoever else is on the page.
          document.dispatchEvent(new CustomEvent("staffroom:room-event", { detail: event }));
          return;
        }
        if (!event.html) return;
        var existing = document.getElementById("message-" + event.id) ||
          (event.client_id && document.getElementById("pending-" + event.client_id));
        var node = fromHtml(event.html);
        addTools(node);
        place(node, existing);
      });
    });

    if (!form) return;
    var body = form.querySelector("textarea[name=body]");
    var idField = form.querySelector("input[name=client_id]");

    function newId() {
      return (window.crypto && crypto.randomUUID) ? crypto.randomUUID().replace(/-/g, "")
        : String(Date.now()) + Math.random().toString(16).slice(2);
    }

    function send(text, clientId, pending) {
      pending.classList.remove("chat-failed");
      pending.querySelector(".chat-status").textContent = "Sending…";
      window.StaffroomLive.send(
        { type: "send", stream: stream, client_id: clientId, body: text },
        function (reply) {
          if (reply.type === "ack") {
            var status = pending.querySelector(".chat-status");
            if (status) status.textContent = "Sent";
            return;
          }
          pending.classList.add("chat-failed");
          var status = pending.querySelector(".chat-status");
          status.textContent = reply.detail + " ";
          var retry = document.createElement("button");
          retry.type = "button";
          retry.className = "link-button";
          retry.textContent = "Retry";
          retry.addEventListener("click", function () { send(text, clientId, pending); });
          status.appendChild(retry);
        }
      );
    }

    form.addEventListener("submit", function (e) {
      var text = body.value;
      if (!text.trim()) return; // the server explains an empty message
      e.preventDefault();
      var clientId = newId();
      var pending = document.createElement("li");
      pending.className = "chat-message chat-pending";
      pending.id = "pending-" + clientId;
      var meta = document.createElement("span");
      meta.className = "chat-meta";
      meta.innerHTML = "<strong>You</strong> <span class=\"muted chat-status\"></span>";
      var content = document.createElement("div");
      content.className = "chat-body";
      content.textContent = text;
      pending.appendChild(meta);
      pending.appendChild(content);
      place(pending, null);
      body.value = "";
      if (idField) idField.value = newId();
      delete form.dataset.submitting;
      send(text, clientId, pending);
      body.focus();
    });
  });
})();
