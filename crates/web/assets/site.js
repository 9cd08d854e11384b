// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Tells the stylesheet (and the browser tests) that scripts run.
  document.documentElement.classList.add("js");
  // Focus the error summary when a form comes back with errors, so a screen reader reads it.
  var summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }

  // Place pickers: the next select is filled in place (no page load) when one is chosen.
  function fill(select, list, choose) {
    while (select.firstChild) {
      select.removeChild(select.firstChild);
    }
    if (choose !== null) {
      var first = document.createElement("option");
      first.value = "";
      first.textContent = choose;
      select.appendChild(first);
    }
    list.forEach(function (pair) {
      var o = document.createElement("option");
      o.value = pair[0];
      o.textContent = pair[1];
      select.appendChild(o);
    });
  }
  function load(code, select, choose, permit) {
    fill(select, [], choose);
    if (!code) {
      return;
    }
    fetch("/places/" + encodeURIComponent(code) + (permit ? "?permit=1" : ""), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (list) { fill(select, list, permit && code.length === 4 ? null : choose); })
      .catch(function () {});
  }
  Array.prototype.forEach.call(document.querySelectorAll("fieldset.picker"), function (fs) {
    var s = fs.querySelectorAll("select");
    var button = fs.querySelector("button.pick");
    if (s.length !== 3 || !button || !window.fetch) {
      return;
    }
    var choose = fs.getAttribute("data-choose") || "";
    var permit = fs.hasAttribute("data-permit");
    button.hidden = true;
    s[0].addEventListener("change", function () {
      load(s[0].value, s[1], choose, false);
      fill(s[2], [], choose);
    });
    s[1].addEventListener("change", function () {
      load(s[1].value, s[2], choose, permit);
    });
  });

  // A confirmation or manage link carries its secret in the fragment: put it in the form.
  var hash = window.location.hash.replace(/^#/, "");
  if (hash) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-from-fragment]"), function (input) {
      var key = input.getAttribute("data-from-fragment");
      var value = key ? new URLSearchParams(hash).get(key) : hash.replace(/^t=/, "");
      if (value) {
        input.value = value;
      }
    });
    // The secret is in the form now: take it out of the address bar and the history.
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname);
    }
  }

  // A form that must not be sent twice (the booking): a second click sends nothing.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-once]"), function (form) {
    form.addEventListener("submit", function (e) {
      if (form.getAttribute("data-sent")) {
        e.preventDefault();
      }
      form.setAttribute("data-sent", "1");
    });
  });

  // Print buttons of the documents checklist.
  Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
})();
