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
})();
