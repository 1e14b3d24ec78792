// Site-wide behaviour that needs a browser: move keyboard focus to in-page targets.
(function () {
  "use strict";

  function focusTarget(hash) {
    if (!hash || hash.length < 2) return;
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    // The browser may already have focused the target (and the learner moved on inside it)
    // before hashchange arrives: pulling focus back would undo their keystrokes.
    if (target && target.hasAttribute("tabindex") && !target.contains(document.activeElement)) {
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

// After htmx swaps in an answer (the quiz's feedback, a "choose an answer" note), keyboard and
// screen-reader users continue from it: focus moves there, and it is scrolled into view.
(function () {
  "use strict";
  var GAP = 8;

  // How far to scroll so the feedback's start and the way on (Continue) under it are both on
  // screen, below the sticky quiz progress; when they cannot both fit, Continue wins (the
  // feedback has focus, so a screen reader reads it whole either way).
  function scrollNeeded(target, next) {
    var progress = document.getElementById("quiz-progress");
    var top = (progress ? progress.offsetHeight : 0) + GAP;
    var box = target.getBoundingClientRect();
    var bottom = next ? next.getBoundingClientRect().bottom : box.bottom;
    var toShowTheEnd = bottom + GAP - window.innerHeight;  // scroll at least this far down
    var toKeepTheStart = box.top - top;                     // and at most this far
    if (toShowTheEnd > toKeepTheStart) return toShowTheEnd;
    return Math.max(toShowTheEnd, Math.min(0, toKeepTheStart));
  }

  document.addEventListener("htmx:afterSettle", function () {
    var target = document.querySelector("[data-focus-on-swap]");
    if (!target) return;
    target.removeAttribute("data-focus-on-swap");
    target.focus({ preventScroll: true });
    var next = target.parentElement && target.parentElement.querySelector(".button--big");
    if (!next) next = document.querySelector("#quiz-card .button--big");
    // One scroll, computed before it starts: a second one (say, after a smooth scrollIntoView)
    // would read positions mid-flight and cut the first short.
    var distance = scrollNeeded(target, next);
    if (Math.abs(distance) >= 1) window.scrollBy(0, distance);
  });
})();

// htmx does not swap error responses (base.html swaps only 422 and 429, which carry their own
// message). Anything else still gets said, next to the form that sent it, and nothing typed
// is cleared.
(function () {
  "use strict";

  var FALLBACK = "That didn’t go through. Nothing you typed was lost — reload the page and try again.";
  var OFFLINE = "Couldn’t reach Tendril Learn. Check your connection and try again.";

  function messageFrom(xhr) {
    if (!xhr || xhr.status >= 500) return FALLBACK;
    var type = xhr.getResponseHeader("Content-Type") || "";
    var body = xhr.responseText || "";
    if (type.indexOf("text/plain") === 0 && body.length > 0 && body.length < 300) return body;
    if (type.indexOf("text/html") === 0) {
      var doc = new DOMParser().parseFromString(body, "text/html");
      var notice = doc.querySelector(".notice--error, .field-error");
      if (notice && notice.textContent.trim()) return notice.textContent.trim();
    }
    return FALLBACK;
  }

  function say(elt, message) {
    var form = (elt.closest && elt.closest("form")) || elt;
    var slot = form.querySelector("[data-request-error]");
    if (!slot) {
      slot = document.createElement("p");
      slot.className = "field-error";
      slot.setAttribute("role", "alert");
      slot.setAttribute("data-request-error", "");
      form.appendChild(slot);
    }
    slot.textContent = message;
  }

  function clear(event) {
    var form = event.detail.elt.closest && event.detail.elt.closest("form");
    var slot = form && form.querySelector("[data-request-error]");
    if (slot) slot.remove();
  }

  document.addEventListener("htmx:responseError", function (event) {
    say(event.detail.elt, messageFrom(event.detail.xhr));
  });
  document.addEventListener("htmx:sendError", function (event) {
    say(event.detail.elt, OFFLINE);
  });
  document.addEventListener("htmx:beforeRequest", clear);
})();

// The table of contents is served folded: below the two-column layout it sits above the
// lesson, so the text comes first. On wide screens it has its own column and is opened here;
// opening it adds content beside the lesson, where folding it after the first paint on a phone
// would push the whole lesson up (a layout shift).
(function () {
  "use strict";
  var wide = window.matchMedia("(min-width: 64rem)");
  document.addEventListener("DOMContentLoaded", function () {
    var toc = document.querySelector(".toc__details");
    if (!toc) return;
    if (wide.matches) toc.open = true;
    // On a narrow screen the opened list hangs over the lesson: choosing an entry, or Escape,
    // folds it again so the section reached is not hidden under it.
    toc.addEventListener("click", function (event) {
      if (!wide.matches && event.target.closest && event.target.closest(".toc__list a")) toc.open = false;
    });
    toc.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toc.open && !wide.matches) {
        toc.open = false;
        toc.querySelector("summary").focus();
      }
    });
  });
})();

// The reading-progress bar is a CSS scroll-driven animation; browsers without them get the same
// bar from the scroll position here.
(function () {
  "use strict";
  if (window.CSS && CSS.supports && CSS.supports("animation-timeline: scroll()")) return;
  document.addEventListener("DOMContentLoaded", function () {
    var bar = document.querySelector(".reading-progress__bar");
    if (!bar) return;
    var pending = false;
    function update() {
      pending = false;
      var root = document.documentElement;
      var scrollable = root.scrollHeight - root.clientHeight;
      var fraction = scrollable > 0 ? Math.min(1, Math.max(0, root.scrollTop / scrollable)) : 1;
      bar.style.transform = "scaleX(" + fraction.toFixed(3) + ")";
    }
    window.addEventListener("scroll", function () {
      if (!pending) { pending = true; window.requestAnimationFrame(update); }
    }, { passive: true });
    window.addEventListener("resize", update);
    update();
  });
})();

// htmx sends the CSRF token from its cookie (pages shared by every visitor carry no token).
document.addEventListener("htmx:configRequest", function (event) {
  var found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (found && event.detail.verb !== "get") event.detail.headers["X-CSRFToken"] = decodeURIComponent(found[1]);
});
