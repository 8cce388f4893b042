/*
 * What the widget keeps in the tab's sessionStorage: the conversation, the
 * session id, the organisation, the open/closed state and the region. It is
 * gone when the tab closes, which matters on a shared computer. A browser that
 * refuses storage still gets a working chat.
 */

// Also the prefix of the crisis lines kept in localStorage (resources.js).
export var KEY = "therapy-chat:";

export function load(name, fallback) {
  try {
    var raw = window.sessionStorage.getItem(KEY + name);
    return raw === null ? fallback : JSON.parse(raw);
  } catch (e) {
    return fallback;
  }
}

export function save(name, value) {
  try {
    window.sessionStorage.setItem(KEY + name, JSON.stringify(value));
  } catch (e) {
    /* private mode or full: the chat still works, it just won't survive a reload */
  }
}
