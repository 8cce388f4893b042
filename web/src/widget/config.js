/* The widget's settings: the snippet's window.TherapyChatConfig over the demo page's JSON, with defaults. */

// Read while the script runs: the folder it came from, where widget.css and vendor/ are.
var SCRIPT = document.currentScript;
export var BASE = SCRIPT && SCRIPT.src ? new URL(".", SCRIPT.src).href : new URL("/static/", location.href).href;
var REPLY_TIMEOUT_SECONDS = 8; // then the widget says the chat is not answering

export function readJsonElement(id) {
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

export function readConfig() {
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
  // An organisation whose visitors are all in one country says so in its tenant
  // record on the server (python -m bot.tenants add ... --region-fixed), never
  // here: a page's own setting could be forged by any client.
  config.locale = navigator.language || "";
  config.resourcesUrl = config.resourcesUrl || new URL("../resources", BASE).href;
  var timeout = Number(config.replyTimeoutSeconds);
  config.replyTimeoutMs = 1000 * (timeout >= 2 && timeout <= 60 ? timeout : REPLY_TIMEOUT_SECONDS);
  return config;
}
