/* Small DOM helpers: every element the widget shows is built here, text only through textContent. */

export function el(tag, attrs, children) {
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

export function hidden(text) {
  return el("span", { className: "tc-visually-hidden", text: text });
}
