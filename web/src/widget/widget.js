/*
 * The widget: its state, its elements and their keyboard handling. The
 * methods of the help panel, the conversation and the connection live in
 * their own modules and are put on Widget's prototype here.
 */

import { connection } from "./connection.js";
import { conversation } from "./conversation.js";
import { el, hidden } from "./dom.js";
import { helpPanel } from "./help.js";
import { FALLBACK_RESOURCES, REGION_CODE, fetchResources, initialResources } from "./resources.js";
import { load, save } from "./storage.js";

var MAX_MESSAGE_CHARS = 20000; // longer messages are screened for a crisis by the server, then refused kindly

export function Widget(config) {
  this.config = config;
  this.history = load("history", []);
  this.sessionId = load("session", null);
  this.tenant = load("tenant", null);
  // The country the bot's replies use, once it has answered (kept for a reload of the tab).
  this.region = REGION_CODE.test(load("region", "")) ? load("region", "") : "";
  this.resources = initialResources(config, this.region);
  this.socket = null;
  this.sessionReady = false;
  this.offlineAnnounced = false;
  this.waitTimer = null;
  this.build();
  this.applyTenant(this.tenant);
  this.renderHelp();
  this.renderHistory();
  this.setOpen(load("open", !!config.open));
  // Attached once filled, so a screen reader does not read the restored history out as new.
  document.body.appendChild(this.root);
  if (!this.resources) {
    this.resources = FALLBACK_RESOURCES;
    this.renderHelp();
    var self = this;
    fetchResources(config, function (data) {
      self.resources = data;
      self.renderHelp();
    }, this.region);
  }
}

// The elements and their handlers, open and closed, the organisation's name and colours.
var view = {
  build: function () {
    var self = this;
    this.root = el("section", { className: "tc-widget", "aria-label": "Chat about therapy", "data-state": "connecting" });

    this.toggleButton = el("button", { type: "button", className: "tc-toggle", "aria-controls": "tc-body" }, [
      el("span", { className: "tc-title", text: "Questions about therapy" }),
      (this.subtitle = el("span", { className: "tc-subtitle", text: "" })),
    ]);
    this.helpButton = el("button", {
      type: "button",
      className: "tc-help-button",
      "aria-controls": "tc-help",
      "aria-expanded": "false",
      text: "Need help now?",
    });
    this.status = el("p", { className: "tc-status", role: "status", text: "Connecting…" });
    this.header = el("div", { className: "tc-header" }, [this.toggleButton, this.helpButton]);

    this.helpHeading = el("h2", { id: "tc-help-heading", tabindex: "-1", text: "Need help now?" });
    this.helpContent = el("div", { className: "tc-help-content" });
    this.helpClose = el("button", { type: "button", className: "tc-help-close", text: "Close help" });
    this.help = el("div", { id: "tc-help", className: "tc-help", role: "region", "aria-labelledby": "tc-help-heading", hidden: "" }, [
      this.helpHeading,
      this.helpContent,
      this.helpClose,
    ]);

    this.log = el("div", {
      className: "tc-log",
      role: "log",
      "aria-live": "polite",
      "aria-relevant": "additions",
      "aria-label": "Conversation",
      tabindex: "0",
    });
    this.typing = el("p", { className: "tc-typing", hidden: "" }, [
      hidden("The reply is being written"),
      el("span", { "aria-hidden": "true" }),
      el("span", { "aria-hidden": "true" }),
      el("span", { "aria-hidden": "true" }),
    ]);
    this.replies = el("div", { className: "tc-replies", role: "group", "aria-label": "Suggested replies" });

    this.input = el("input", {
      id: "tc-input",
      type: "text",
      className: "tc-input",
      autocomplete: "off",
      maxlength: String(MAX_MESSAGE_CHARS),
      placeholder: "Type your question",
    });
    this.form = el("form", { className: "tc-form" }, [
      el("label", { for: "tc-input", className: "tc-visually-hidden", text: "Your message" }),
      this.input,
      el("button", { type: "submit", className: "tc-send", text: "Send" }),
    ]);
    this.note = el("p", {
      className: "tc-note",
      text: "Automated information, not therapy or an emergency service.",
    });

    this.body = el("div", { id: "tc-body", className: "tc-body" }, [
      this.status,
      this.help,
      this.log,
      this.typing,
      this.replies,
      this.form,
      this.note,
    ]);
    this.root.appendChild(this.header);
    this.root.appendChild(this.body);

    this.toggleButton.addEventListener("click", function () {
      self.setOpen(!self.isOpen);
      if (self.isOpen) {
        self.input.focus();
      }
    });
    this.helpButton.addEventListener("click", function () {
      self.setHelp(self.help.hidden);
    });
    this.helpClose.addEventListener("click", function () {
      self.setHelp(false);
    });
    this.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = self.input.value;
      if (!text.trim()) {
        return;
      }
      self.input.value = "";
      self.send(text, text);
    });
    this.root.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") {
        return;
      }
      if (!self.help.hidden) {
        self.setHelp(false);
      } else if (self.isOpen) {
        self.setOpen(false);
        self.toggleButton.focus();
      }
    });
  },

  setOpen: function (open) {
    this.isOpen = open;
    this.body.hidden = !open;
    this.root.classList.toggle("tc-open", open);
    this.toggleButton.setAttribute("aria-expanded", String(open));
    save("open", open);
  },

  applyTenant: function (tenant) {
    var colour = /^#[0-9a-fA-F]{6}$/;
    var style = this.root.style;
    this.tenant = tenant && typeof tenant === "object" ? tenant : null;
    [
      ["--tc-primary", "primary_colour"],
      ["--tc-accent", "accent_colour"],
    ].forEach(function (pair) {
      var value = tenant && tenant[pair[1]];
      if (value && colour.test(value)) {
        style.setProperty(pair[0], value);
      } else {
        style.removeProperty(pair[0]);
      }
    });
    this.subtitle.textContent = this.tenant && this.tenant.display_name ? "for " + this.tenant.display_name : "";
  },
};

Object.assign(Widget.prototype, view, helpPanel, conversation, connection);
