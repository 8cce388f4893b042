/*
 * The "Need help now?" panel: methods of Widget (widget.js puts them on its
 * prototype). It shows the crisis lines that came with the page, a cached copy
 * or the web server's, so it works with the chat server down; once the bot
 * answers, the lines of the country its replies use (each reply carries
 * `region`), so a visitor who names their country sees that country's lines.
 */

import { el } from "./dom.js";
import { appendInline, link, safeHref } from "./markdown.js";
import { FALLBACK_RESOURCES, REGION_CODE, cachedResources, fetchResources } from "./resources.js";
import { save } from "./storage.js";

export var helpPanel = {
  /* The bot's replies now use this country's numbers: the panel shows the same country's lines. */
  followRegion: function (region) {
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
  },

  setHelp: function (show) {
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
  },

  /* The crisis lines as nodes (used by the panel and by notices in the log). */
  resourceNodes: function () {
    var r = this.resources || FALLBACK_RESOURCES;
    var nodes = [];
    if (r.region !== "INTL" && typeof r.the_region === "string" && r.the_region) {
      nodes.push(el("p", { className: "tc-help-region", text: "Numbers for " + r.the_region + "." }));
    }
    nodes.push(el("p", { text: "You can reach someone right now:" }));
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
  },

  renderHelp: function () {
    var content = this.helpContent;
    while (content.firstChild) {
      content.removeChild(content.firstChild);
    }
    this.resourceNodes().forEach(function (node) {
      content.appendChild(node);
    });
  },
};
