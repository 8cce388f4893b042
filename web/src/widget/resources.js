/*
 * The crisis lines for "Need help now?": from the page, a cached copy, the web
 * server's /resources, or the built-in fallback, so the panel works with the
 * chat server down.
 */

import { readJsonElement } from "./config.js";
import { KEY } from "./storage.js";

// A country code, or INTL for the international directories (the `region` of each bot reply).
export var REGION_CODE = /^(?:[A-Z]{2}|INTL)$/;

export var FALLBACK_RESOURCES = {
  region: "INTL",
  region_name: "Other countries",
  emergency_text: "your local emergency number (112 works in every EU country)",
  lines: ["Find A Helpline (free helplines by country and topic) — see https://findahelpline.com/"],
  elsewhere: "",
};

export function validResources(data) {
  return data && typeof data === "object" && Array.isArray(data.lines) && typeof data.emergency_text === "string";
}

export function cachedResources(region) {
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
export function initialResources(config, region) {
  var fromPage = readJsonElement("therapy-chat-resources");
  var wanted = region || config.region;
  // The page's lines are for the region the server guessed; an explicit region in the config wins.
  if (validResources(fromPage) && (!wanted || fromPage.region === wanted)) {
    return fromPage;
  }
  return cachedResources(wanted);
}

export function fetchResources(config, done, region) {
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
