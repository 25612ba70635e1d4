/* Staff workspace: keyboard shortcuts and next-pair-without-reload.
 * Everything here is an enhancement: every form and link works without JavaScript.
 * Pair page: S same, D different, K skip, J next pair without deciding, U undo, N note.
 * Queue page: J / K move the selection, Enter opens it.
 * CSP allows scripts from files only, so this file is the whole client side. */
(function () {
  "use strict";

  var busy = false;

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function typing(target) {
    var tag = (target && target.tagName) || "";
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function toLogin(response) {
    if (response.url && response.url.indexOf("/staff/login") !== -1) {
      window.location.assign(response.url);
      return true;
    }
    return false;
  }

  function loadPair(url, push) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (toLogin(response)) { return null; }
        return response.text().then(function (html) { return { response: response, html: html }; });
      })
      .then(function (result) {
        if (!result) { return; }
        var doc = new DOMParser().parseFromString(result.html, "text/html");
        var fresh = doc.getElementById("review-root");
        var current = document.getElementById("review-root");
        if (!fresh || !current) { window.location.assign(result.response.url || url); return; }
        current.replaceWith(document.adoptNode(fresh));
        document.title = fresh.getAttribute("data-title") || doc.title;
        var flashes = document.querySelector(".flashes");
        if (flashes) { flashes.remove(); }
        if (push) { history.pushState({ pair: true }, "", result.response.url || url); }
        window.scrollTo(0, 0);
      });
  }

  function nativeSubmit(form, button) {
    // let the browser post the form itself (shows the server's page, e.g. an error)
    form.setAttribute("data-native", "1");
    if (button && form.requestSubmit) { form.requestSubmit(button); } else { form.submit(); }
  }

  function postForm(form, button) {
    if (busy) { return; }
    busy = true;
    document.body.classList.add("busy");
    var body = new FormData(form);
    if (button && button.name) { body.append(button.name, button.value); }
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() }
    })
      .then(function (response) {
        if (toLogin(response)) { return null; }
        var type = response.headers.get("Content-Type") || "";
        if (!response.ok || type.indexOf("application/json") === -1) {
          nativeSubmit(form, button);
          return null;
        }
        return response.json();
      })
      .then(function (data) { if (data && data.next_url) { return loadPair(data.next_url, true); } })
      .catch(function () { nativeSubmit(form, button); })
      .then(function () { busy = false; document.body.classList.remove("busy"); });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !(form.classList.contains("js-decide") || form.classList.contains("js-undo"))) {
      return;
    }
    if (form.getAttribute("data-native") === "1") { return; }
    event.preventDefault();
    postForm(form, event.submitter || null);
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[data-key="j"]');
    if (link && document.getElementById("review-root") && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      loadPair(link.href, true);
    }
    var row = event.target.closest && event.target.closest("tr.queue-row");
    if (row && event.target.tagName !== "A") { window.location.assign(row.getAttribute("data-href")); }
  });

  window.addEventListener("popstate", function () {
    if (document.getElementById("review-root")) { loadPair(window.location.href, false); }
  });

  function pairKey(key) {
    var root = document.getElementById("review-root");
    if (!root) { return false; }
    if (key === "s" || key === "d" || key === "k") {
      var button = root.querySelector('form.js-decide button[data-key="' + key + '"]');
      if (button) { button.click(); return true; }
    } else if (key === "j") {
      var next = root.querySelector('a[data-key="j"]');
      if (next) { next.click(); return true; }
    } else if (key === "u") {
      var undo = root.querySelector('form.js-undo button[data-key="u"]');
      if (undo) { undo.click(); return true; }
    } else if (key === "n") {
      var note = root.querySelector('[name="note"]');
      if (note) { note.focus(); return true; }
    }
    return false;
  }

  function queueKey(key) {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.queue-row"));
    if (!rows.length) { return false; }
    var index = rows.findIndex(function (r) { return r.classList.contains("selected"); });
    if (key === "j" || key === "k") {
      index = key === "j" ? Math.min(rows.length - 1, index + 1) : Math.max(0, index - 1);
      rows.forEach(function (r) { r.classList.remove("selected"); });
      rows[index].classList.add("selected");
      rows[index].scrollIntoView({ block: "nearest" });
      return true;
    }
    if (key === "enter" && index >= 0) {
      window.location.assign(rows[index].getAttribute("data-href"));
      return true;
    }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); }
      return;
    }
    var key = (event.key || "").toLowerCase();
    if (pairKey(key) || queueKey(key)) { event.preventDefault(); }
  });
})();
