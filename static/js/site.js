// Site-wide behaviour that needs a browser: move keyboard focus to in-page targets.
(function () {
  "use strict";

  function focusTarget(hash) {
    if (!hash || hash.length < 2) return;
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (target && target.hasAttribute("tabindex")) {
      target.focus({ preventScroll: true });
    }
  }

  // Following a table-of-contents or citation link scrolls to the section; this also
  // moves focus there so keyboard and screen-reader users continue from that point.
  window.addEventListener("hashchange", function () { focusTarget(window.location.hash); });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    // A second click on the same link fires no hashchange, so focus here too.
    if (link && link.getAttribute("href") === window.location.hash) {
      focusTarget(link.getAttribute("href"));
    }
  });
  document.addEventListener("DOMContentLoaded", function () { focusTarget(window.location.hash); });
})();
