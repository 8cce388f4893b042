/*
 * The therapy FAQ chat widget: plain JavaScript on the socket.io client.
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
(function () {
  "use strict";

  if (window.TherapyChat) {
    return; // loaded twice
  }

  var SCRIPT = document.currentScript;
  var BASE = SCRIPT && SCRIPT.src ? new URL(".", SCRIPT.src).href : new URL("/static/", location.href).href;
  var KEY = "therapy-chat:";
  var REPLY_TIMEOUT_SECONDS = 8; // then the widget says the chat is not answering
  var MAX_HISTORY = 200;
  var MAX_MESSAGE_CHARS = 20000; // longer messages are screened for a crisis by the server, then refused kindly
  var LINK_SCHEMES = ["http:", "https:", "tel:", "sms:"];
  var REGION_CODE = /^(?:[A-Z]{2}|INTL)$/;

  // --- storage (a browser that refuses storage still gets a working chat) ---

  function load(name, fallback) {
    try {
      var raw = window.sessionStorage.getItem(KEY + name);
      return raw === null ? fallback : JSON.parse(raw);
    } catch (e) {
      return fallback;
    }
  }

  function save(name, value) {
    try {
      window.sessionStorage.setItem(KEY + name, JSON.stringify(value));
    } catch (e) {
      /* private mode or full: the chat still works, it just won't survive a reload */
    }
  }

  function readJsonElement(id) {
    var el = document.getElementById(id);
    if (!el) {
      return null;
    }
    try {
      return JSON.parse(el.textContent);
    } catch (e) {
      return null;
    }
  }

  function readConfig() {
    var config = {};
    var fromPage = readJsonElement("therapy-chat-config") || {};
    var fromSite = window.TherapyChatConfig || {};
    [fromPage, fromSite].forEach(function (source) {
      Object.keys(source).forEach(function (k) {
        config[k] = source[k];
      });
    });
    if (!config.server) {
      config.server = location.protocol + "//" + location.hostname + ":5005";
    }
    if (typeof config.region === "string" && /^[A-Za-z]{2}$/.test(config.region)) {
      config.region = config.region.toUpperCase();
    } else {
      config.region = "";
    }
    // Only an organisation whose visitors are all in one country sets this: its
    // region then outranks what a visitor says ("I'm in the UK").
    config.regionFixed = config.regionFixed === true && !!config.region;
    config.locale = navigator.language || "";
    config.resourcesUrl = config.resourcesUrl || new URL("../resources", BASE).href;
    var timeout = Number(config.replyTimeoutSeconds);
    config.replyTimeoutMs = 1000 * (timeout >= 2 && timeout <= 60 ? timeout : REPLY_TIMEOUT_SECONDS);
    return config;
  }

  // --- safe markdown: text nodes and a few elements, never HTML --------------

  var INLINE = new RegExp(
    [
      "\\[([^\\]\\n]{1,300})\\]\\(([^()\\s]{1,1000})\\)", // [text](url)
      "\\*\\*([^*\\n]{1,300})\\*\\*", // **bold**
      "((?:https?:\\/\\/)[^\\s<>()\\[\\]]+[^\\s<>()\\[\\].,;:!?'\"])", // bare web address
      "\\b((?:tel|sms):\\+?[0-9][0-9-]{1,30})", // bare tel:/sms:
    ].join("|"),
    "g"
  );

  function safeHref(url) {
    try {
      var parsed = new URL(url);
      return LINK_SCHEMES.indexOf(parsed.protocol) >= 0 ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(text, href) {
    var a = document.createElement("a");
    a.textContent = text;
    a.href = href;
    if (/^https?:/.test(href)) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
    }
    return a;
  }

  function appendInline(parent, text) {
    var last = 0;
    var match;
    INLINE.lastIndex = 0;
    while ((match = INLINE.exec(text)) !== null) {
      if (match.index > last) {
        parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      }
      if (match[1] !== undefined) {
        var href = safeHref(match[2]);
        // A link to anything else (javascript:, data:, ...) keeps only its words.
        parent.appendChild(href ? link(match[1], href) : document.createTextNode(match[1]));
      } else if (match[3] !== undefined) {
        var strong = document.createElement("strong");
        strong.textContent = match[3];
        parent.appendChild(strong);
      } else {
        var url = match[4] || match[5];
        var safe = safeHref(url);
        parent.appendChild(safe ? link(url, safe) : document.createTextNode(url));
      }
      last = INLINE.lastIndex;
    }
    if (last < text.length) {
      parent.appendChild(document.createTextNode(text.slice(last)));
    }
  }

  /* "para\n- item\n- item" -> <p>para</p><ul><li>item</li>...</ul>, built node by node. */
  function renderMarkdown(text) {
    var fragment = document.createDocumentFragment();
    var list = null;
    var para = null;
    String(text || "")
      .split(/\r?\n/)
      .forEach(function (line) {
        var item = /^\s*[-*•]\s+(.*)$/.exec(line);
        if (item) {
          para = null;
          if (!list) {
            list = document.createElement("ul");
            fragment.appendChild(list);
          }
          var li = document.createElement("li");
          appendInline(li, item[1]);
          list.appendChild(li);
        } else if (!line.trim()) {
          list = null;
          para = null;
        } else {
          list = null;
          if (para) {
            para.appendChild(document.createElement("br"));
          } else {
            para = document.createElement("p");
            fragment.appendChild(para);
          }
          appendInline(para, line);
        }
      });
    return fragment;
  }

  // --- small DOM helpers ------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") {
        node.textContent = attrs[k];
      } else if (k === "className") {
        node.className = attrs[k];
      } else {
        node.setAttribute(k, attrs[k]);
      }
    });
    (children || []).forEach(function (child) {
      if (child) {
        node.appendChild(child);
      }
    });
    return node;
  }

  function hidden(text) {
    return el("span", { className: "tc-visually-hidden", text: text });
  }

  // --- crisis resources -------------------------------------------------------

  var FALLBACK_RESOURCES = {
    region: "INTL",
    region_name: "Other countries",
    emergency_text: "your local emergency number (112 works in every EU country)",
    lines: ["Find A Helpline (free helplines by country and topic) — see https://findahelpline.com/"],
    elsewhere: "",
  };

  function validResources(data) {
    return data && typeof data === "object" && Array.isArray(data.lines) && typeof data.emergency_text === "string";
  }

  function cachedResources(region) {
    var cached = null;
    try {
      cached = JSON.parse(window.localStorage.getItem(KEY + "resources:" + (region || "auto")));
    } catch (e) {
      cached = null;
    }
    return validResources(cached) ? cached : null;
  }

  /* The lines for the help panel, best source first: the page, then a cached copy, then the fallback.
     `region`: the country the bot's replies use in this conversation, when it has said one. */
  function initialResources(config, region) {
    var fromPage = readJsonElement("therapy-chat-resources");
    var wanted = region || config.region;
    // The page's lines are for the region the server guessed; an explicit region in the config wins.
    if (validResources(fromPage) && (!wanted || fromPage.region === wanted)) {
      return fromPage;
    }
    return cachedResources(wanted);
  }

  function fetchResources(config, done, region) {
    var url;
    try {
      url = new URL(config.resourcesUrl, location.href);
    } catch (e) {
      return; // a bad resourcesUrl: the built-in lines stay
    }
    region = region || config.region;
    if (region) {
      url.searchParams.set("region", region);
    }
    fetch(url.href, { credentials: "omit" })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (data) {
        if (validResources(data)) {
          try {
            // Public helpline data, kept so the panel works next time even if this server is down.
            window.localStorage.setItem(KEY + "resources:" + (region || "auto"), JSON.stringify(data));
          } catch (e) {
            /* storage refused */
          }
          done(data);
        }
      })
      .catch(function () {
        /* keep what we have */
      });
  }

  // --- the widget -------------------------------------------------------------

  function Widget(config) {
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

  /* The bot's replies now use this country's numbers: the panel shows the same country's lines. */
  Widget.prototype.followRegion = function (region) {
    var self = this;
    if (!REGION_CODE.test(region) || region === this.region) {
      return;
    }
    this.region = region;
    save("region", region);
    if (this.resources && this.resources.region === region) {
      return;
    }
    var cached = cachedResources(region);
    if (cached) {
      this.resources = cached;
      this.renderHelp();
    }
    fetchResources(this.config, function (data) {
      if (self.region === region) {
        self.resources = data;
        self.renderHelp();
      }
    }, region);
  };

  Widget.prototype.build = function () {
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
  };

  Widget.prototype.setOpen = function (open) {
    this.isOpen = open;
    this.body.hidden = !open;
    this.root.classList.toggle("tc-open", open);
    this.toggleButton.setAttribute("aria-expanded", String(open));
    save("open", open);
  };

  Widget.prototype.setHelp = function (show) {
    if (show && !this.isOpen) {
      this.setOpen(true);
    }
    this.help.hidden = !show;
    this.helpButton.setAttribute("aria-expanded", String(show));
    if (show) {
      this.helpHeading.focus();
    } else {
      this.helpButton.focus();
    }
  };

  /* The crisis lines as nodes (used by the panel and by notices in the log). */
  Widget.prototype.resourceNodes = function () {
    var r = this.resources || FALLBACK_RESOURCES;
    var nodes = [];
    if (r.region !== "INTL" && typeof r.the_region === "string" && r.the_region) {
      nodes.push(el("p", { className: "tc-help-region", text: "Numbers for " + r.the_region + "." }));
    }
    nodes.push(el("p", { text: "You can talk to someone right now, free and confidential:" }));
    var list = el("ul", { className: "tc-lines" });
    var tenant = this.tenant;
    if (tenant && tenant.eap_phone) {
      var eap = el("li");
      eap.appendChild(document.createTextNode((tenant.display_name || "Your") + " EAP — call "));
      eap.appendChild(link(tenant.eap_phone, "tel:" + tenant.eap_phone.replace(/[^\d+]/g, "")));
      if (tenant.eap_hours) {
        eap.appendChild(document.createTextNode(" (" + tenant.eap_hours + ")"));
      }
      list.appendChild(eap);
    }
    r.lines.forEach(function (line) {
      var li = el("li");
      appendInline(li, String(line));
      list.appendChild(li);
    });
    ((tenant && tenant.extra_resources) || []).forEach(function (extra) {
      if (!extra || !extra.name) {
        return;
      }
      var li = el("li");
      li.appendChild(document.createTextNode(extra.name));
      if (extra.phone) {
        li.appendChild(document.createTextNode(" — call "));
        li.appendChild(link(extra.phone, "tel:" + String(extra.phone).replace(/[^\d+]/g, "")));
      }
      var href = extra.url ? safeHref(extra.url) : null;
      if (href) {
        li.appendChild(document.createTextNode(extra.phone ? " or " : " — "));
        li.appendChild(link(extra.url, href));
      }
      if (extra.hours) {
        li.appendChild(document.createTextNode(" (" + extra.hours + ")"));
      }
      list.appendChild(li);
    });
    nodes.push(list);
    var danger = el("p", { className: "tc-emergency" });
    appendInline(danger, "If you or someone else is in immediate danger, call " + r.emergency_text + " now.");
    nodes.push(danger);
    if (r.elsewhere) {
      var elsewhere = el("p", { className: "tc-elsewhere" });
      elsewhere.appendChild(document.createTextNode("Somewhere else? "));
      appendInline(elsewhere, String(r.elsewhere));
      nodes.push(elsewhere);
    }
    return nodes;
  };

  Widget.prototype.renderHelp = function () {
    var content = this.helpContent;
    while (content.firstChild) {
      content.removeChild(content.firstChild);
    }
    this.resourceNodes().forEach(function (node) {
      content.appendChild(node);
    });
  };

  Widget.prototype.applyTenant = function (tenant) {
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
  };

  // --- the conversation -------------------------------------------------------

  Widget.prototype.remember = function (entry) {
    this.history.push(entry);
    if (this.history.length > MAX_HISTORY) {
      this.history = this.history.slice(-MAX_HISTORY);
    }
    save("history", this.history);
  };

  Widget.prototype.renderEntry = function (entry) {
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
  };

  Widget.prototype.renderHistory = function () {
    var self = this;
    this.history.forEach(function (entry) {
      self.renderEntry(entry);
    });
    var last = this.history[this.history.length - 1];
    this.showReplies(last && last.role === "bot" ? last.buttons : null);
  };

  Widget.prototype.add = function (entry) {
    this.remember(entry);
    this.renderEntry(entry);
  };

  Widget.prototype.notice = function (text, withResources) {
    this.add({ role: "notice", text: text, resources: !!withResources });
  };

  Widget.prototype.showReplies = function (buttons) {
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
  };

  Widget.prototype.send = function (payload, shown) {
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
      if (this.config.regionFixed) {
        metadata.region_fixed = true;
      }
    }
    this.socket.emit("user_uttered", { message: payload, session_id: this.sessionId, metadata: metadata });
    this.startWaiting();
  };

  Widget.prototype.startWaiting = function () {
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
  };

  Widget.prototype.stopWaiting = function () {
    this.typing.hidden = true;
    if (this.waitTimer) {
      window.clearTimeout(this.waitTimer);
      this.waitTimer = null;
    }
  };

  /* One bot_uttered event: {text, quick_replies|buttons, attachment}. */
  Widget.prototype.receive = function (message) {
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
  };

  Widget.prototype.setStatus = function (state, text) {
    this.root.setAttribute("data-state", state);
    this.status.textContent = text;
    this.status.hidden = state === "online";
  };

  Widget.prototype.offline = function () {
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
  };

  Widget.prototype.connect = function () {
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
  };

  function friendly(data, fallback) {
    return data && typeof data.message === "string" && data.message ? data.message : fallback;
  }

  function loadSocketIo(done) {
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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
