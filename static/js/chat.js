// A chat room: messages arrive live (rendered by the same _message.html as the page);
// your own appear at once as pending, are confirmed by the ack, and can be retried.
// Also: replying to a message, reactions without a reload, hosts' "Mute for this
// session", and answer-first mode (others' answers stay collapsed until yours is in).
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
    var canReact = log.hasAttribute("data-can-react");
    var muteUrl = log.getAttribute("data-mute-url");
    var hosts = words(log.getAttribute("data-hosts"));
    var answerFirst = log.hasAttribute("data-answer-first");
    var answered = words(log.getAttribute("data-answered"));
    var kinds = (log.getAttribute("data-reaction-kinds") || "").split(";").filter(Boolean)
      .map(function (pair) { var at = pair.indexOf("="); return [pair.slice(0, at), pair.slice(at + 1)]; });
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");

    function words(text) {
      var set = {};
      (text || "").split(" ").filter(Boolean).forEach(function (w) { set[w] = true; });
      return set;
    }

    // Which reactions are this reader's ("<id>:<kind>"): pushed fragments are rendered
    // for everyone, so the page's own buttons are the starting point.
    var mine = {};
    log.querySelectorAll("[data-react] button[aria-pressed=true]").forEach(function (button) {
      var id = button.closest(".chat-message").id.replace("message-", "");
      mine[id + ":" + button.getAttribute("data-kind")] = true;
    });

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

    function replyLink(id) {
      var link = document.createElement("a");
      link.href = "?reply=" + id + "#composer";
      link.setAttribute("data-reply", id);
      link.textContent = "Reply";
      return link;
    }

    // Pushed messages are rendered for everyone: add this reader's own controls.
    function addTools(node) {
      if (node.querySelector(".chat-tools") || node.classList.contains("chat-gone")) return;
      var id = node.id.replace("message-", "");
      var author = node.getAttribute("data-author");
      var own = author === me;
      var mutable = muteUrl && !own && !hosts[author];
      if (!id || (!own && !canModerate && !form && !mutable)) return;
      var tools = document.createElement("span");
      tools.className = "post-tools chat-tools";
      if (form && !form.hidden) tools.appendChild(replyLink(id));
      if (own) {
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
      if (mutable) {
        tools.appendChild(postButton(muteUrl.replace("USERNAME", encodeURIComponent(author)), "Mute for this session"));
      }
      node.appendChild(tools);
    }

    // Reactions: the fragment shows the counts; readers who may react get buttons, with
    // their own reactions pressed.
    function addReactions(node) {
      var id = node.id.replace("message-", "");
      if (!canReact || !id || node.getAttribute("data-author") === me || node.classList.contains("chat-gone")) return;
      var counts = {};
      node.querySelectorAll("[data-reactions] [data-kind]").forEach(function (item) {
        var count = item.querySelector(".count");
        counts[item.getAttribute("data-kind")] = count ? Number(count.textContent) : 0;
      });
      var box = node.querySelector("[data-reactions]");
      if (!box) {
        box = document.createElement("div");
        box.className = "reactions chat-reactions";
        box.setAttribute("aria-label", "Reactions");
        box.setAttribute("data-reactions", "");
        var body = node.querySelector(".chat-body");
        if (body) body.after(box); else node.appendChild(box);
      }
      box.textContent = "";
      kinds.forEach(function (pair) {
        var pressed = !!mine[id + ":" + pair[0]];
        var f = postButton("/chat/" + id + "/react/", pair[1]);
        f.setAttribute("data-react", "");
        var button = f.querySelector("button");
        button.className = "reaction" + (pressed ? " reaction-mine" : "");
        button.setAttribute("aria-pressed", String(pressed));
        button.setAttribute("data-kind", pair[0]);
        if (counts[pair[0]]) {
          var count = document.createElement("span");
          count.className = "count";
          count.textContent = counts[pair[0]];
          button.appendChild(document.createTextNode(" "));
          button.appendChild(count);
        }
        f.insertBefore(hidden("kind", pair[0]), button);
        if (pressed) f.insertBefore(hidden("action", "remove"), button);
        box.appendChild(f);
      });
    }

    function hidden(name, value) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      return input;
    }

    log.addEventListener("submit", function (e) {
      var f = e.target.closest("[data-react]");
      if (!f || !window.fetch) return;
      e.preventDefault();
      var node = f.closest(".chat-message");
      var key = node.id.replace("message-", "") + ":" + f.querySelector("[name=kind]").value;
      var was = !!mine[key];
      var data = new FormData(f);
      mine[key] = !was;
      addReactions(node); // pressed at once; the counts follow with message.reacted
      fetch(f.action, { method: "POST", body: data, credentials: "same-origin", redirect: "manual" })
        .then(function (response) {
          if (response.type !== "opaqueredirect" && !response.ok) throw new Error(response.status);
        })
        .catch(function () {
          mine[key] = was;
          var current = document.getElementById(node.id);
          if (current) addReactions(current);
        });
    });

    // Answer-first mode: others' answers to a question this reader hasn't answered are
    // collapsed into one line per question, until their own answer to it arrives. (The
    // events carry every answer: this is a nudge against anchoring, not secrecy.)
    function collapse(node) {
      var number = node.getAttribute("data-question");
      var author = node.getAttribute("data-author");
      if (!answerFirst || !number) return;
      if (author === me) { reveal(number); return; }
      if (answered[number] || hosts[author] || node.classList.contains("chat-gone")) {
        node.hidden = false;
        node.removeAttribute("data-collapsed");
      } else {
        node.hidden = true;
        node.setAttribute("data-collapsed", "");
      }
      countLine(number, node);
    }

    function countLine(number, near) {
      var count = log.querySelectorAll("[data-collapsed][data-question='" + number + "']").length;
      var line = log.querySelector("[data-collapsed-line='" + number + "']");
      if (!count) { if (line) line.remove(); return; }
      if (!line) {
        line = document.createElement("li");
        line.className = "chat-collapsed muted";
        line.setAttribute("data-collapsed-line", number);
        near.before(line);
      }
      line.textContent = count + " answer" + (count === 1 ? "" : "s") + " to Q" + number + ": answer it to see them";
    }

    function reveal(number) {
      if (answered[number]) return;
      answered[number] = true;
      log.querySelectorAll("[data-collapsed][data-question='" + number + "']").forEach(function (node) {
        node.hidden = false;
        node.removeAttribute("data-collapsed");
      });
      countLine(number, null);
    }

    // Replying: the composer says to whom, and the send carries reply_to.
    var replyField = form && form.querySelector("input[name=reply_to]");
    var replying = form && form.querySelector("[data-replying]");
    function replyTo(id) {
      if (!replyField || !replying) return;
      var parent = document.getElementById("message-" + id);
      replyField.value = parent ? id : "";
      replying.hidden = !parent;
      if (parent) replying.querySelector("[data-replying-name]").textContent = parent.getAttribute("data-name");
    }
    log.addEventListener("click", function (e) {
      var link = e.target.closest("[data-reply]");
      if (!link || !replyField) return;
      e.preventDefault();
      replyTo(link.getAttribute("data-reply"));
      form.querySelector("textarea[name=body]").focus();
    });
    if (replying) {
      replying.querySelector("[data-reply-cancel]").addEventListener("click", function (e) {
        e.preventDefault();
        replyTo("");
        form.querySelector("textarea[name=body]").focus();
      });
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
        addReactions(node);
        place(node, existing);
        collapse(node);
      });
    });

    if (!form) return;
    var body = form.querySelector("textarea[name=body]");
    var idField = form.querySelector("input[name=client_id]");

    function newId() {
      return (window.crypto && crypto.randomUUID) ? crypto.randomUUID().replace(/-/g, "")
        : String(Date.now()) + Math.random().toString(16).slice(2);
    }

    var picker = form.querySelector("select[name=question]");

    function send(text, clientId, pending, parent, question) {
      pending.classList.remove("chat-failed");
      pending.querySelector(".chat-status").textContent = "Sending…";
      var frame = { type: "send", stream: stream, client_id: clientId, body: text };
      if (parent) frame.reply_to = Number(parent);
      if (question) frame.question = Number(question);
      window.StaffroomLive.send(
        frame,
        function (reply) {
          if (reply.type === "ack") {
            var status = pending.querySelector(".chat-status");
            if (status) status.textContent = "Sent";
            return;
          }
          if (reply.code === "unavailable" && !pending.hasAttribute("data-retried")) {
            // The server had trouble storing it: the same client_id never makes a second
            // message, so trying once more on our own is safe.
            pending.setAttribute("data-retried", "");
            window.setTimeout(function () { send(text, clientId, pending, parent, question); }, 1500);
            return;
          }
          pending.classList.add("chat-failed");
          var status = pending.querySelector(".chat-status");
          status.textContent = reply.detail + " ";
          if (reply.code === "not_allowed") {
            // Muted by a host (or no longer allowed): say so where the composer was.
            var notice = document.createElement("p");
            notice.className = "message message-warning";
            notice.setAttribute("role", "status");
            notice.textContent = reply.detail;
            form.replaceWith(notice);
            return;
          }
          var retry = document.createElement("button");
          retry.type = "button";
          retry.className = "link-button";
          retry.textContent = "Retry";
          retry.addEventListener("click", function () {
            send(text, clientId, pending, parent, question);
          });
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
      var parent = replyField && replyField.value;
      var parentNode = parent && document.getElementById("message-" + parent);
      if (parentNode) {
        var to = document.createElement("span");
        to.className = "chat-reply-to";
        to.textContent = "↩ in reply to " + parentNode.getAttribute("data-name");
        pending.appendChild(to);
      }
      pending.appendChild(content);
      place(pending, null);
      body.value = "";
      if (idField) idField.value = newId();
      replyTo("");
      // An earlier question is picked for one answer; the next follows the latest again.
      var question = picker && picker.value;
      if (picker) picker.value = "";
      delete form.dataset.submitting;
      send(text, clientId, pending, parent, question);
      body.focus();
    });
  });
})();
