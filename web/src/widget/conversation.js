/*
 * The conversation: methods of Widget (widget.js puts them on its prototype).
 * It is kept in sessionStorage so a reload of the tab continues it; replies
 * are drawn with renderMarkdown (text nodes only); a message the server does
 * not answer within the reply timeout gets a notice with the crisis lines.
 * Bot messages come in only through receive(), which only the widget's own
 * socket calls.
 */

import { el, hidden } from "./dom.js";
import { renderMarkdown } from "./markdown.js";
import { save } from "./storage.js";

var MAX_HISTORY = 200;

export var conversation = {
  remember: function (entry) {
    this.history.push(entry);
    if (this.history.length > MAX_HISTORY) {
      this.history = this.history.slice(-MAX_HISTORY);
    }
    save("history", this.history);
  },

  renderEntry: function (entry) {
    var bubble;
    if (entry.role === "user") {
      bubble = el("div", { className: "tc-msg tc-user" }, [hidden("You: ")]);
      bubble.appendChild(el("p", { text: entry.text }));
    } else if (entry.role === "bot") {
      bubble = el("div", { className: "tc-msg tc-bot" }, [hidden("Bot: ")]);
      bubble.appendChild(renderMarkdown(entry.text));
    } else {
      bubble = el("div", { className: "tc-msg tc-notice" }, [el("p", { text: entry.text })]);
      if (entry.resources) {
        var box = el("div", { className: "tc-notice-resources" });
        this.resourceNodes().forEach(function (node) {
          box.appendChild(node);
        });
        bubble.appendChild(box);
      }
    }
    this.log.appendChild(bubble);
    this.log.scrollTop = this.log.scrollHeight;
  },

  renderHistory: function () {
    var self = this;
    this.history.forEach(function (entry) {
      self.renderEntry(entry);
    });
    var last = this.history[this.history.length - 1];
    this.showReplies(last && last.role === "bot" ? last.buttons : null);
  },

  add: function (entry) {
    this.remember(entry);
    this.renderEntry(entry);
  },

  notice: function (text, withResources) {
    this.add({ role: "notice", text: text, resources: !!withResources });
  },

  showReplies: function (buttons) {
    var self = this;
    while (this.replies.firstChild) {
      this.replies.removeChild(this.replies.firstChild);
    }
    (buttons || []).forEach(function (b) {
      var button = el("button", { type: "button", className: "tc-reply", text: b.title });
      button.addEventListener("click", function () {
        self.send(b.payload, b.title);
        self.input.focus(); // the button is gone; keep the keyboard where the visitor is
      });
      self.replies.appendChild(button);
    });
    this.replies.hidden = !(buttons && buttons.length);
  },

  send: function (payload, shown) {
    this.showReplies(null);
    this.add({ role: "user", text: shown });
    if (!this.socket || !this.socket.connected || !this.sessionReady) {
      this.notice(
        "Your message was not sent: the chat server cannot be reached right now. We keep trying to reconnect. " +
          "If you need to talk to someone now:",
        true
      );
      return;
    }
    var metadata = { locale: this.config.locale };
    if (this.config.region) {
      metadata.region = this.config.region;
    }
    this.socket.emit("user_uttered", { message: payload, session_id: this.sessionId, metadata: metadata });
    this.startWaiting();
  },

  startWaiting: function () {
    var self = this;
    this.stopWaiting();
    this.typing.hidden = false;
    this.waitTimer = window.setTimeout(function () {
      self.stopWaiting();
      self.notice(
        "The chat is not answering right now. Please try again in a moment. If you need to talk to someone now:",
        true
      );
    }, this.config.replyTimeoutMs);
  },

  stopWaiting: function () {
    this.typing.hidden = true;
    if (this.waitTimer) {
      window.clearTimeout(this.waitTimer);
      this.waitTimer = null;
    }
  },

  /* One bot_uttered event: {text, quick_replies|buttons, attachment}. */
  receive: function (message) {
    if (!message || typeof message !== "object") {
      return;
    }
    var text = typeof message.text === "string" ? message.text : "";
    var raw = Array.isArray(message.quick_replies) ? message.quick_replies : message.buttons;
    var buttons = (Array.isArray(raw) ? raw : [])
      .filter(function (b) {
        return b && typeof b.title === "string" && typeof b.payload === "string";
      })
      .map(function (b) {
        return { title: b.title, payload: b.payload };
      });
    if (typeof message.region === "string") {
      this.followRegion(message.region);
    }
    var attachment = message.attachment && message.attachment.payload && message.attachment.payload.src;
    if (!text.trim() && !buttons.length && !attachment) {
      return; // nothing to show: the reply timer keeps running
    }
    this.stopWaiting();
    if (attachment && !text.trim()) {
      text = String(attachment);
    }
    this.add({ role: "bot", text: text, buttons: buttons });
    this.showReplies(buttons);
  },
};
