// The registrar's desk, progressive enhancement only: without this file the queue's refresh
// link does the same. The queue's rows are fetched again every 20 s (only while the page is
// shown) from the same site with the desk's cookie, replaced in place when they changed, the
// focused row keeps the focus, and the change is told in a polite status line.
(function () {
  "use strict";
  var region = document.getElementById("queue-rows");
  var news = document.getElementById("queue-news");
  var probe = document.createElement("template");
  if (!region || !news || !window.fetch || !("content" in probe)) {
    return;
  }
  var url = region.getAttribute("data-poll");
  var seconds = parseInt(region.getAttribute("data-poll-seconds"), 10) || 20;
  var busy = false;
  var stopped = false;

  function references(root) {
    return Array.prototype.map.call(root.querySelectorAll("tr[data-reference]"), function (tr) {
      return tr.getAttribute("data-reference");
    });
  }

  function focusedReference() {
    var active = document.activeElement;
    if (!active || active === region || !region.contains(active)) {
      return null;
    }
    var tr = active.closest("tr[data-reference]");
    return tr ? tr.getAttribute("data-reference") : "";
  }

  function update(html) {
    // A template's content is inert: nothing in it loads or runs.
    var fresh = document.createElement("template");
    fresh.innerHTML = html;
    if (fresh.innerHTML === region.innerHTML) {
      return;
    }
    var before = references(region);
    var focused = focusedReference();
    while (region.firstChild) {
      region.removeChild(region.firstChild);
    }
    region.appendChild(fresh.content);
    if (focused !== null) {
      var again = focused && region.querySelector("tr[data-reference='" + focused + "'] a");
      (again || region).focus();
    }
    var added = references(region).filter(function (r) { return before.indexOf(r) < 0; });
    var time = "";
    try {
      // The queue's times are Beijing time, whatever the computer's clock is set to.
      time = new Date().toLocaleTimeString("zh-CN", {
        timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false
      });
    } catch (e) {
      time = "";
    }
    var say = region.getAttribute("data-news") + " " + time;
    if (added.length) {
      say += " · " + region.getAttribute("data-news-new") + added.length;
    }
    news.textContent = say;
  }

  function poll() {
    if (stopped || busy || document.hidden) {
      return;
    }
    busy = true;
    fetch(url, {
      credentials: "same-origin",
      cache: "no-store",
      redirect: "manual",
      headers: { Accept: "text/html" }
    })
      .then(function (r) {
        if (!r.ok) {
          // The session ended (a redirect to sign-in) or the page is refused: the refresh
          // link shows why.
          stopped = true;
          return null;
        }
        return r.text();
      })
      .then(function (html) {
        busy = false;
        if (html !== null) {
          update(html);
        }
      })
      .catch(function () {
        busy = false;
      });
  }

  window.setInterval(poll, seconds * 1000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      poll();
    }
  });
})();
