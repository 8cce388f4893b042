/*
 * Bot text as DOM nodes, never as HTML: "para\n- item" becomes <p> and <ul>,
 * **bold** becomes <strong>, and only http(s), tel: and sms: addresses become
 * links (bare, or as [text](url)); a link to anything else keeps only its words.
 * Every piece of text goes into a text node or textContent.
 */

var LINK_SCHEMES = ["http:", "https:", "tel:", "sms:"];

var INLINE = new RegExp(
  [
    "\\[([^\\]\\n]{1,300})\\]\\(([^()\\s]{1,1000})\\)", // [text](url)
    "\\*\\*([^*\\n]{1,300})\\*\\*", // **bold**
    "((?:https?:\\/\\/)[^\\s<>()\\[\\]]+[^\\s<>()\\[\\].,;:!?'\"])", // bare web address
    "\\b((?:tel|sms):\\+?[0-9][0-9-]{1,30})", // bare tel:/sms:
  ].join("|"),
  "g"
);

export function safeHref(url) {
  try {
    var parsed = new URL(url);
    return LINK_SCHEMES.indexOf(parsed.protocol) >= 0 ? parsed.href : null;
  } catch (e) {
    return null;
  }
}

export function link(text, href) {
  var a = document.createElement("a");
  a.textContent = text;
  a.href = href;
  if (/^https?:/.test(href)) {
    a.target = "_blank";
    a.rel = "noopener noreferrer";
  }
  return a;
}

export function appendInline(parent, text) {
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
export function renderMarkdown(text) {
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
