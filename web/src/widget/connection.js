/*
 * The connection to the chat server (socket.io): methods of Widget (widget.js
 * puts them on its prototype), and the loading of the socket.io client. When
 * the server cannot be reached, refuses the session, errs or hangs up, the
 * widget says so in the conversation with the crisis lines, never hides
 * itself, and keeps reconnecting in the background.
 */

import { BASE } from "./config.js";
import { save } from "./storage.js";

export var connection = {
  setStatus: function (state, text) {
    this.root.setAttribute("data-state", state);
    this.status.textContent = text;
    this.status.hidden = state === "online";
  },

  offline: function () {
    this.sessionReady = false;
    this.stopWaiting();
    this.setStatus("offline", "Not connected. Trying again…");
    if (!this.offlineAnnounced) {
      this.offlineAnnounced = true;
      this.notice(
        "The chat server cannot be reached right now. We keep trying to reconnect in the background. " +
          "If you need to talk to someone now:",
        true
      );
    }
  },

  connect: function () {
    var self = this;
    if (typeof window.io !== "function") {
      this.offline();
      return;
    }
    // WebSocket first: one connection stays with one server process, which
    // lets the server run several workers behind one port. Long-polling is the
    // fallback for networks that block WebSockets (it needs every request of
    // a visitor to reach the same process: one worker, or a sticky proxy).
    var options = {
      reconnectionDelay: 1000, reconnectionDelayMax: 10000, timeout: 8000,
      transports: ["websocket", "polling"], tryAllTransports: true
    };
    if (this.config.tenantToken) {
      options.auth = { tenant_token: String(this.config.tenantToken) };
    }
    var socket;
    try {
      socket = window.io(this.config.server, options);
    } catch (e) {
      this.offline(); // a malformed server address in the config
      return;
    }
    this.socket = socket;
    socket.on("connect", function () {
      var request = { session_id: self.sessionId };
      if (self.config.tenantToken) {
        request.tenant_token = String(self.config.tenantToken);
      }
      socket.emit("session_request", request);
    });
    socket.on("session_confirm", function (data) {
      if (!data || typeof data.session_id !== "string") {
        return;
      }
      if (self.sessionId && !data.resumed && self.history.length) {
        self.notice("The earlier conversation could not be continued, so this is a new one.", false);
      }
      self.sessionId = data.session_id;
      save("session", data.session_id);
      self.applyTenant(data.tenant || null);
      save("tenant", self.tenant);
      self.renderHelp();
      if (self.tenant && typeof self.tenant.fixed_region === "string") {
        // The organisation's record fixes its visitors' country: the bot's lines will be that country's.
        self.followRegion(self.tenant.fixed_region);
      }
      self.sessionReady = true;
      self.setStatus("online", "");
      if (self.offlineAnnounced) {
        self.offlineAnnounced = false;
        self.notice("Connected again. You can send your message now.", false);
      }
    });
    socket.on("session_error", function (data) {
      self.sessionReady = false;
      self.setStatus("error", "Not connected.");
      self.notice(friendly(data, "The chat could not start.") + " If you need to talk to someone now:", true);
    });
    socket.on("message_error", function (data) {
      self.stopWaiting();
      self.notice(friendly(data, "That message could not be answered.") + " If you need to talk to someone now:", true);
    });
    socket.on("bot_uttered", function (message) {
      self.receive(message);
    });
    socket.on("connect_error", function (err) {
      if (!socket.active && err && err.data && err.data.message) {
        // Refused by the server (not a network failure): retrying would not help.
        self.sessionReady = false;
        self.setStatus("error", "Not connected.");
        self.notice(String(err.data.message) + " If you need to talk to someone now:", true);
        return;
      }
      self.offline();
    });
    socket.on("disconnect", function (reason) {
      self.offline();
      if (reason === "io server disconnect") {
        socket.connect(); // the server hung up; socket.io only retries by itself after network failures
      }
    });
  },
};

function friendly(data, fallback) {
  return data && typeof data.message === "string" && data.message ? data.message : fallback;
}

export function loadSocketIo(done) {
  if (typeof window.io === "function") {
    done();
    return;
  }
  var script = document.createElement("script");
  script.src = BASE + "vendor/socket.io.min.js";
  script.onload = done;
  script.onerror = done; // the widget (and its help panel) still works; connect() reports offline
  document.head.appendChild(script);
}
