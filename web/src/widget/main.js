/*
 * The therapy FAQ chat widget: plain JavaScript on the socket.io client.
 * This is the entry point: `make web` bundles it and the modules beside it
 * into web/static/widget.js, one script for the embed snippet (web/build.mjs).
 *
 * Rules it keeps (docs/embed.md has the embed snippet):
 * - bot text is never parsed as HTML: every node is built here and filled with
 *   textContent; only http(s), tel: and sms: links are made;
 * - "Need help now?" shows crisis lines that came with the page (or from the
 *   web server, cached), so it works with the chat server down; once the bot
 *   answers, the panel shows the lines of the country its replies use (each
 *   reply carries `region`), so a visitor who names their country ("I'm in
 *   the UK") sees that country's lines in the panel too;
 * - when the chat server cannot be reached, errs or stays silent, the widget
 *   says so in the conversation and shows those lines; it never hides itself
 *   and keeps reconnecting in the background;
 * - the conversation survives a reload of the tab (sessionStorage: it is gone
 *   when the tab closes, which matters on a shared computer);
 * - bot messages are accepted only from its own socket: no page script can
 *   add one through the widget's public object.
 */
"use strict";

import { BASE, readConfig } from "./config.js";
import { loadSocketIo } from "./connection.js";
import { renderMarkdown } from "./markdown.js";
import { Widget } from "./widget.js";

function loadStyles() {
  if (document.querySelector("link[data-therapy-chat]")) {
    return;
  }
  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = BASE + "widget.css";
  css.setAttribute("data-therapy-chat", "");
  document.head.appendChild(css);
}

function start() {
  loadStyles();
  var widget = new Widget(readConfig());
  window.TherapyChat = {
    open: function () {
      widget.setOpen(true);
    },
    showHelp: function () {
      widget.setHelp(true);
    },
    // No way in for bot messages but the widget's own socket: a script on the
    // embedding page must not be able to speak as the bot (fake helplines).
    renderMarkdown: renderMarkdown,
  };
  loadSocketIo(function () {
    widget.connect();
  });
}

// A page that loads the script twice gets one widget.
if (!window.TherapyChat) {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}
