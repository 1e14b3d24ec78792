// Local progress (owned by the progress app): the progress document in localStorage, shown on
// the page, and synced to the learner's account when signed in. Shape: progress/document.py.
//
// API for other scripts (practice.js):
//   TendrilProgress.read() -> doc            a copy of the stored document (never throws)
//   TendrilProgress.update(fn)               fn(doc) mutates a copy; validated, saved, synced
//   TendrilProgress.lessonEntry(doc, slug)   the lesson's entry, created when missing
//   TendrilProgress.now() -> ISO string
// and the "tendril:progress-changed" event ({detail: {doc}}) after every save and every sync
// that brings changes from another device.
(function () {
  "use strict";

  var KEY = "tendril.progress.v1";
  var OWNER_KEY = "tendril.progress.owner";
  // When this device last changed its progress without the account having it yet. Kept in
  // storage, not in memory, so a reload (or another tab) still knows there is something to sync.
  var UNSYNCED_KEY = "tendril.progress.unsynced";
  var SYNC_DELAY_MS = 800;
  var RETRY_DELAYS_MS = [2000, 5000, 15000, 30000, 60000];
  var AGE_REFRESH_MS = 30000;
  var TEXT = {
    offline: "Offline — saved on this device",
    failed: "Sync failed — retrying",
    saving: "Saved on this device — syncing…",
    stopped: "Sync stopped — ",
  };

  function now() { return new Date().toISOString(); }
  function plural(count, word) { return count + " " + word + (count === 1 ? "" : "s"); }
  function emptyDoc() { return { version: 1, lessons: {} }; }
  function isObject(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }
  var warned = {};
  function warn(message, detail) {
    if (warned[message]) return;
    warned[message] = true;
    if (window.console) console.warn("Tendril progress: " + message, detail || "");
  }

  // Enough structure for this script and practice.js to rely on; the server checks the rest.
  function problemWith(doc) {
    if (!isObject(doc)) return "not an object";
    if (doc.version !== 1) return "unknown version " + JSON.stringify(doc.version);
    if (!isObject(doc.lessons)) return "lessons is not an object";
    for (var slug in doc.lessons) {
      var entry = doc.lessons[slug];
      if (!isObject(entry)) return "lessons." + slug + " is not an object";
      var maps = ["sections_read", "checklist", "drafts"];
      for (var i = 0; i < maps.length; i++) {
        if (maps[i] in entry && !isObject(entry[maps[i]])) return "lessons." + slug + "." + maps[i] + " is not an object";
      }
      if ("attempts" in entry && !Array.isArray(entry.attempts)) return "lessons." + slug + ".attempts is not a list";
    }
    return null;
  }

  function storage() {
    try { return window.localStorage; } catch (error) { return null; }
  }

  function read() {
    var store = storage();
    var raw = store && store.getItem(KEY);
    if (!raw) return emptyDoc();
    try {
      var doc = JSON.parse(raw);
      var problem = problemWith(doc);
      if (problem) { warn("ignoring the progress saved in this browser (" + problem + ")"); return emptyDoc(); }
      return doc;
    } catch (error) {
      warn("ignoring the progress saved in this browser (not JSON)", error);
      return emptyDoc();
    }
  }

  function write(doc) {
    var store = storage();
    if (!store) return false;
    try { store.setItem(KEY, JSON.stringify(doc)); return true; } catch (error) { warn("could not save", error); return false; }
  }

  function announce(doc) {
    document.dispatchEvent(new CustomEvent("tendril:progress-changed", { detail: { doc: doc } }));
  }

  function lessonEntry(doc, slug) {
    var entry = doc.lessons[slug];
    if (!isObject(entry)) entry = doc.lessons[slug] = {};
    if (!isObject(entry.sections_read)) entry.sections_read = {};
    if (!isObject(entry.checklist)) entry.checklist = {};
    if (!Array.isArray(entry.attempts)) entry.attempts = [];
    if (!isObject(entry.drafts)) entry.drafts = {};
    return entry;
  }

  function update(mutator) {
    var doc = read();
    var before = JSON.stringify(doc);
    mutator(doc);
    if (JSON.stringify(doc) === before) return;
    var problem = problemWith(doc);
    if (problem) { warn("change not saved (" + problem + ")"); return; }
    if (!write(doc)) return;
    markUnsynced();
    announce(doc);
    if (account) setStatus(navigator.onLine === false ? TEXT.offline : TEXT.saving);
    scheduleSync(SYNC_DELAY_MS);
  }

  // ---- Sync (signed-in learners only) ----
  var session = document.querySelector("[data-progress-session]");
  var syncUrl = session ? session.getAttribute("data-sync-url") : null;
  var account = session ? session.getAttribute("data-account") : null;
  var signInUrl = session ? session.getAttribute("data-sign-in-url") : null;
  var syncTimer = null;
  var inFlight = null;
  var again = false;
  var failures = 0;
  // What the server refused for good (a 4xx): {doc, status, body}. That document is not sent
  // again; the next local change is.
  var refused = null;
  var syncedAt = null;
  var syncedNote = "";

  function markUnsynced() {
    var store = storage();
    if (store) { try { store.setItem(UNSYNCED_KEY, now()); } catch (error) { /* full or private */ } }
  }

  function hasUnsynced() {
    var store = storage();
    return Boolean(store && store.getItem(UNSYNCED_KEY));
  }

  // `link` (optional): {before, text, href, after} to show a link inside the status.
  function paint(text, link) {
    var status = document.getElementById("sync-status");
    if (!status || !account) return;
    if (!link) {
      // Unchanged text is not written again: the live region would announce it again.
      if (status.textContent !== text || status.children.length) status.textContent = text;
      return;
    }
    var shown = status.querySelector("a");
    if (shown && shown.getAttribute("href") === link.href &&
        status.textContent === link.before + link.text + link.after) return;
    var anchor = document.createElement("a");
    anchor.href = link.href;
    anchor.textContent = link.text;
    status.textContent = "";
    status.append(link.before, anchor, link.after);
  }

  function setStatus(text, link) {
    syncedAt = null;
    paint(text, link);
  }

  // Synced just now, then 1, 2, 3, 4, 5, 10, 15 … minutes ago, then hours: every change is
  // announced by the live region, so it changes in coarser steps as the sync gets older.
  function age(ms) {
    var minutes = Math.floor(ms / 60000);
    if (minutes < 1) return "just now";
    if (minutes < 60) return plural(minutes < 5 ? minutes : minutes - (minutes % 5), "minute") + " ago";
    if (minutes < 24 * 60) return plural(Math.floor(minutes / 60), "hour") + " ago";
    return "on " + formatDay(new Date(syncedAt).toISOString());
  }

  function showSynced() {
    if (syncedAt !== null) paint("Synced " + age(Date.now() - syncedAt) + syncedNote);
  }

  function signInLink() {
    var next = window.location.pathname + window.location.search;
    return signInUrl ? signInUrl + "?next=" + encodeURIComponent(next) : null;
  }

  function describeProblem(body, status) {
    var problems = body && Array.isArray(body.problems) ? body.problems : [];
    var first = problems[0];
    if (!isObject(first)) return (body && body.error) || "the server refused it (HTTP " + status + ")";
    var where = first.field === "(document)" ? "this device's progress" : first.field + ":";
    var more = problems.length > 1 ? " (and " + plural(problems.length - 1, "more problem") + ")" : "";
    return where + " " + first.message + more;
  }

  // A 4xx other than 429 will not go away by sending the same document again.
  function showRefusal(status, body) {
    var href = signInLink();
    if ((status === 401 || status === 403) && href) {
      setStatus("", { before: "Signed out — ", text: "sign in again", href: href, after: " to sync" });
    } else if (status === 401 || status === 403) {
      setStatus("Signed out — sign in again to sync");
    } else {
      setStatus(TEXT.stopped + describeProblem(body, status));
    }
  }

  function isPermanent(status) {
    return status >= 400 && status < 500 && status !== 408 && status !== 429;
  }

  function csrfToken() {
    var found = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return found ? decodeURIComponent(found[1]) : "";
  }

  function scheduleSync(delay) {
    if (!account || !syncUrl) return;
    clearTimeout(syncTimer);
    syncTimer = setTimeout(sync, delay);
  }

  // Resolves true when the account and this device hold the same document.
  function sync() {
    if (!account || !syncUrl) return Promise.resolve(false);
    if (inFlight) { again = true; return inFlight.then(function () { return !hasUnsynced(); }); }
    if (navigator.onLine === false) { setStatus(TEXT.offline); return Promise.resolve(false); }
    var sent = JSON.stringify(read());
    if (refused && sent === refused.doc) {
      showRefusal(refused.status, refused.body);
      return Promise.resolve(false);
    }
    refused = null;
    inFlight = fetch(syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: sent,
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (response.ok && isObject(body)) return body;
        var error = new Error((body && body.error) || "HTTP " + response.status);
        error.status = response.status;
        error.body = body;
        throw error;
      });
    }).then(function (body) {
      failures = 0;
      var rejected = body.rejected_attempts || [];
      if (rejected.length) warn("quiz results that could not be verified were dropped", rejected);
      var current = JSON.stringify(read());
      if (current !== sent) { again = true; return false; }  // changed meanwhile: send again
      // Nothing changed here while the request ran: the merged document replaces ours.
      write(body.document);
      var store = storage();
      if (store) store.removeItem(UNSYNCED_KEY);
      if (JSON.stringify(body.document) !== current) announce(body.document);
      syncedAt = Date.now();
      syncedNote = rejected.length ? " (" + plural(rejected.length, "unverified quiz result") + " removed)" : "";
      // Close to a limit: the server says what fills up and how to make room.
      var notices = Array.isArray(body.notices) ? body.notices : [];
      if (notices.length) syncedNote += ". " + notices.join(" ");
      showSynced();
      return true;
    }).catch(function (error) {
      warn("sync failed", error);
      if (error && isPermanent(error.status)) {
        failures = 0;
        clearTimeout(syncTimer);
        if (JSON.stringify(read()) === sent) refused = { doc: sent, status: error.status, body: error.body };
        else again = true;  // changed meanwhile: the new document may well be accepted
        showRefusal(error.status, error.body);
        return false;
      }
      failures += 1;
      setStatus(navigator.onLine === false ? TEXT.offline : TEXT.failed);
      scheduleSync(RETRY_DELAYS_MS[Math.min(failures, RETRY_DELAYS_MS.length) - 1]);
      return false;
    }).then(function (synced) {
      inFlight = null;
      if (again) { again = false; scheduleSync(SYNC_DELAY_MS); }
      return synced;
    });
    return inFlight;
  }

  // Sync now (not after the usual delay), trying a few times if this device keeps changing.
  function syncNow(triesLeft) {
    clearTimeout(syncTimer);
    return sync().then(function (synced) {
      return synced || triesLeft <= 1 || navigator.onLine === false ? synced : syncNow(triesLeft - 1);
    });
  }

  function startSync() {
    if (!account) return;
    var store = storage();
    var owner = store && store.getItem(OWNER_KEY);
    // Progress left by another account on this device is not merged into this one.
    if (owner && owner !== account) { write(emptyDoc()); store.removeItem(UNSYNCED_KEY); }
    if (store) { try { store.setItem(OWNER_KEY, account); } catch (error) { /* private mode */ } }
    window.addEventListener("online", function () { sync(); });
    window.addEventListener("offline", function () { setStatus(TEXT.offline); });
    setInterval(showSynced, AGE_REFRESH_MS);
    // Coming back to a tab picks up what other devices did meanwhile.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") scheduleSync(0);
    });
    sync();
  }

  function forgetLocal() {
    var store = storage();
    if (!store) return;
    store.removeItem(KEY);
    store.removeItem(OWNER_KEY);
    store.removeItem(UNSYNCED_KEY);
  }

  // ---- What the page shows ----
  function bestAttempt(entry) {
    var best = null;
    (entry.attempts || []).forEach(function (a) {
      if (!a || !(a.total > 0)) return;
      if (!best || a.score / a.total > best.score / best.total ||
          (a.score / a.total === best.score / best.total && a.score > best.score)) best = a;
    });
    return best;
  }

  function bestText(best) { return "Best: " + best.score + "/" + best.total; }

  function sectionsRead(entry, element) {
    var ids = (element.getAttribute("data-sections") || "").split(/\s+/).filter(Boolean);
    var read = ids.filter(function (id) { return entry.sections_read && id in entry.sections_read; });
    return { read: read.length, total: ids.length };
  }

  function formatDay(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) return "";
    return date.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric" });
  }

  function showPart(element, text) {
    if (!element) return;
    element.textContent = text || "";
    element.hidden = !text;
  }

  function render(doc) {
    document.querySelectorAll("[data-lesson-status]").forEach(function (status) {
      var entry = doc.lessons[status.getAttribute("data-lesson-status")];
      if (!isObject(entry)) { status.hidden = true; return; }
      var best = bestAttempt(entry);
      var count = sectionsRead(entry, status);
      showPart(status.querySelector("[data-status-best]"), best ? bestText(best) : "");
      showPart(status.querySelector("[data-status-last-read]"), entry.last_read_at ? "Last read: " + formatDay(entry.last_read_at) : "");
      showPart(status.querySelector("[data-status-sections]"), count.read ? count.read + " of " + count.total + " sections read" : "");
      var bar = status.querySelector("[data-status-bar]");
      if (bar) { bar.max = count.total || 1; bar.value = count.read; bar.setAttribute("aria-label", count.read + " of " + count.total + " sections read"); bar.hidden = !count.read; }
      status.hidden = !(best || entry.last_read_at || count.read);
    });

    // Every other place that shows the best score (the quiz box) shows the same one. The server
    // may have filled it from this browser's session; the document, synced, wins when it has one.
    document.querySelectorAll("[data-best-score]").forEach(function (element) {
      var entry = doc.lessons[element.getAttribute("data-best-score")];
      var best = isObject(entry) ? bestAttempt(entry) : null;
      if (best) showPart(element, bestText(best));
    });

    document.querySelectorAll("[data-progress-ring]").forEach(function (ring) {
      var slug = ring.getAttribute("data-progress-ring");
      var entry = doc.lessons[slug];
      var empty = document.querySelector('[data-local-empty="' + slug + '"]');
      if (!isObject(entry)) { ring.hidden = true; if (empty) empty.hidden = false; return; }
      var count = sectionsRead(entry, ring);
      var percent = count.total ? Math.round((100 * count.read) / count.total) : 0;
      var best = bestAttempt(entry);
      ring.querySelector(".progress-ring__dial").setAttribute("data-step", String(Math.round(percent / 10)));
      ring.querySelector("[data-ring-text]").textContent =
        percent + "% read" + (best ? " · " + bestText(best) : "");
      ring.hidden = false;
      if (empty) empty.hidden = true;
    });

    var lesson = document.querySelector("article.lesson[data-lesson-slug]");
    if (!lesson) return;
    var entry = doc.lessons[lesson.getAttribute("data-lesson-slug")] || {};
    lesson.querySelectorAll("input[data-checklist-item]").forEach(function (box) {
      var tick = entry.checklist && entry.checklist[box.getAttribute("data-checklist-item")];
      if (isObject(tick)) box.checked = tick.done === true;
    });
    var note = document.querySelector("[data-reflection]");
    if (note && document.activeElement !== note && isObject(entry.reflection)) {
      note.value = String(entry.reflection.text || "");
    }
  }

  // ---- Recording progress on the page ----
  function recordQuizResults() {
    var results = document.querySelectorAll("[data-quiz-result]");
    if (!results.length) return;
    update(function (doc) {
      results.forEach(function (el) {
        var slug = el.getAttribute("data-lesson");
        var id = el.getAttribute("data-attempt-id");
        if (!slug || !id) return;
        var entry = lessonEntry(doc, slug);
        if (entry.attempts.some(function (a) { return a && a.id === id; })) return;
        // Microseconds trimmed to milliseconds: not every browser parses more digits.
        var finished = new Date(String(el.getAttribute("data-finished-at")).replace(/(\.\d{3})\d+/, "$1"));
        entry.attempts.push({
          id: id,
          form: Number(el.getAttribute("data-form")),
          score: Number(el.getAttribute("data-score")),
          total: Number(el.getAttribute("data-total")),
          finished_at: isNaN(finished.getTime()) ? now() : finished.toISOString(),
          signature: el.getAttribute("data-signature") || "",
        });
      });
    });
  }

  function watchLesson() {
    var lesson = document.querySelector("article.lesson[data-lesson-slug]");
    if (!lesson) return;
    var slug = lesson.getAttribute("data-lesson-slug");
    var status = document.querySelector("[data-lesson-status]");
    var outline = ((status && status.getAttribute("data-sections")) || "").split(/\s+/).filter(Boolean);

    lesson.addEventListener("change", function (event) {
      var box = event.target;
      if (!box.matches || !box.matches("input[data-checklist-item]")) return;
      update(function (doc) {
        lessonEntry(doc, slug).checklist[box.getAttribute("data-checklist-item")] = { done: box.checked, at: now() };
      });
    });

    var note = document.querySelector("[data-reflection]");
    var noteTimer = null;
    function saveNote() {
      clearTimeout(noteTimer);
      var text = note.value;
      update(function (doc) { lessonEntry(doc, slug).reflection = { text: text, at: now() }; });
      var saved = document.querySelector("[data-reflection-status]");
      if (saved) saved.textContent = "Note saved.";
    }
    if (note) {
      note.addEventListener("input", function () { clearTimeout(noteTimer); noteTimer = setTimeout(saveNote, 500); });
      var form = note.closest("form");
      if (form) form.addEventListener("submit", function (event) { event.preventDefault(); saveNote(); });
    }

    watchReading(lesson, slug, outline);
  }

  // A section counts as read once it has filled a good part of the screen for READ_AFTER_MS, or
  // when the learner scrolls through its end at a reading pace: its end came up into the screen
  // and, by the time it scrolls away, it has filled a good part of the screen for
  // SCROLLED_READ_MS in all. A jump (a table-of-contents link, a citation, the
  // back button) scrolls past sections nobody read: nothing counts until that scroll has settled,
  // and then only what stays on screen. The End key, a scrollbar drag or a fast flick are not
  // jumps the page can see coming, but they pass sections too quickly for them to count.
  var READ_AFTER_MS = 3000;
  var SCROLLED_READ_MS = 1500;
  var JUMP_SETTLE_MS = 250;

  function watchReading(lesson, slug, outline) {
    var sections = [];
    lesson.querySelectorAll("section[id]").forEach(function (section) {
      if (outline.indexOf(section.id) !== -1) sections.push(section);
    });
    if (!sections.length) return;
    var counted = {};
    var entry = read().lessons[slug];
    if (isObject(entry) && isObject(entry.sections_read)) {
      Object.keys(entry.sections_read).forEach(function (id) { counted[id] = true; });
    }
    var dwell = {};
    var jumping = false;
    var settleTimer = null;
    var lastBottoms = {};
    // How long each section has filled a good part of the screen, in all, and since when now.
    var shownFor = {};
    var shownSince = {};
    var endReached = {};

    function timeShown(id, at) {
      return (shownFor[id] || 0) + (id in shownSince ? at - shownSince[id] : 0);
    }

    function hide(id, at) {
      if (!(id in shownSince)) return;
      shownFor[id] = timeShown(id, at);
      delete shownSince[id];
    }

    function count(id) {
      if (counted[id]) return;
      counted[id] = true;
      update(function (doc) {
        var lessonProgress = lessonEntry(doc, slug);
        var at = now();
        if (!(id in lessonProgress.sections_read)) lessonProgress.sections_read[id] = at;
        lessonProgress.last_read_at = at;
      });
    }

    function onScreen(section) {
      var box = section.getBoundingClientRect();
      var height = window.innerHeight;
      var shown = Math.min(box.bottom, height) - Math.max(box.top, 0);
      return shown > 0 && (shown >= 0.4 * height || shown >= 0.6 * box.height);
    }

    function check() {
      if (jumping) return;
      var height = window.innerHeight;
      var at = Date.now();
      sections.forEach(function (section) {
        var id = section.id;
        if (counted[id]) return;
        var box = section.getBoundingClientRect();
        var bottom = box.bottom;
        var shown = onScreen(section);
        // Scrolled through its end (the end came up from below the screen into it), having
        // shown long enough to be read on the way, not in the blink of a fast scroll.
        if (id in lastBottoms && lastBottoms[id] > height && bottom <= height) endReached[id] = true;
        lastBottoms[id] = bottom;
        if (shown && !(id in shownSince)) shownSince[id] = at;
        if (!shown) hide(id, at);
        if (endReached[id] && timeShown(id, at) >= SCROLLED_READ_MS) count(id);
        if (counted[id]) return;
        // Gone from the screen unread (passed in a fast scroll): its end must come up again.
        if (bottom <= 0 || box.top >= height) delete endReached[id];
        if (shown) {
          if (!dwell[id]) dwell[id] = setTimeout(function () { dwell[id] = null; if (!jumping && onScreen(section)) count(id); }, READ_AFTER_MS);
        } else if (dwell[id]) {
          clearTimeout(dwell[id]);
          dwell[id] = null;
        }
      });
    }

    function settle() {
      jumping = false;
      lastBottoms = {};  // where sections were before the jump says nothing about reading
      check();
    }

    // A jump is over when its scroll ends: `scrollend` where the browser has it (a smooth scroll
    // on a busy device can pause longer than any quiet period we could wait for), else a short
    // quiet period; and soon, if the target was already on screen and nothing scrolled at all.
    var hasScrollEnd = "onscrollend" in window;
    function startJump() {
      jumping = true;
      var at = Date.now();
      Object.keys(shownSince).forEach(function (id) { hide(id, at); });
      Object.keys(dwell).forEach(function (id) { clearTimeout(dwell[id]); dwell[id] = null; });
      clearTimeout(settleTimer);
      settleTimer = setTimeout(settle, JUMP_SETTLE_MS * 3);
    }
    if (hasScrollEnd) window.addEventListener("scrollend", function () { if (jumping) { clearTimeout(settleTimer); settle(); } });

    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest('a[href^="#"]');
      if (link) startJump();
    }, true);
    window.addEventListener("hashchange", startJump);
    window.addEventListener("popstate", startJump);
    var pending = false;
    window.addEventListener("scroll", function () {
      if (jumping) {
        clearTimeout(settleTimer);
        settleTimer = setTimeout(settle, hasScrollEnd ? JUMP_SETTLE_MS * 20 : JUMP_SETTLE_MS);
        return;
      }
      if (!pending) { pending = true; window.requestAnimationFrame(function () { pending = false; check(); }); }
    }, { passive: true });
    window.addEventListener("resize", check);
    // Arriving at an address with a #section is a jump too.
    if (window.location.hash) startJump(); else check();
  }

  // The table of contents marks the section being read (the last one whose top has passed the
  // upper third of the screen), and keeps that entry in view when the contents scroll.
  function watchContents() {
    var links = document.querySelectorAll("#toc a[data-section-link]");
    if (!links.length) return;
    var targets = [];
    links.forEach(function (link) {
      var section = document.getElementById(link.getAttribute("data-section-link"));
      if (section) targets.push({ link: link, section: section });
    });
    var current = null;
    var pending = false;
    function mark() {
      pending = false;
      var line = window.innerHeight / 3;
      var found = null;
      targets.forEach(function (target) { if (target.section.getBoundingClientRect().top <= line) found = target; });
      if (found === current) return;
      if (current) current.link.removeAttribute("aria-current");
      current = found;
      if (!current) return;
      current.link.setAttribute("aria-current", "true");
      var list = [current.link.closest(".toc__list"), current.link.closest(".lesson__aside")]
        .filter(function (box) { return box && box.scrollHeight > box.clientHeight + 1; })[0];
      if (list) {
        var linkBox = current.link.getBoundingClientRect();
        var listBox = list.getBoundingClientRect();
        if (linkBox.top < listBox.top || linkBox.bottom > listBox.bottom) {
          list.scrollTop += linkBox.top - listBox.top - list.clientHeight / 2;
        }
      }
    }
    window.addEventListener("scroll", function () {
      if (!pending) { pending = true; window.requestAnimationFrame(mark); }
    }, { passive: true });
    window.addEventListener("resize", mark);
    mark();
  }

  function wireForms() {
    document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
      // Signing out on a shared computer leaves nothing behind, once everything has synced;
      // what could not sync stays here (and never merges into another account), and the
      // sign-in page says so.
      form.addEventListener("submit", function (event) {
        var state = form.getAttribute("data-synced");
        if (!account || state === "yes") return;
        if (state === "syncing") { event.preventDefault(); return; }
        if (!hasUnsynced() && !inFlight) { forgetLocal(); rememberSignOut("cleared"); return; }
        event.preventDefault();
        form.setAttribute("data-synced", "syncing");
        syncNow(3).then(function (synced) {
          rememberSignOut(synced ? "cleared" : "kept");
          if (synced) forgetLocal();
          else if (signInUrl) keepNext(form, signInUrl);
          form.setAttribute("data-synced", "yes");
          form.submit();
        });
      });
    });
    // Only the page shown after the account was deleted clears it, and only that account's.
    document.querySelectorAll("[data-clear-local-progress]").forEach(function (element) {
      var store = storage();
      if (store && store.getItem(OWNER_KEY) === element.getAttribute("data-clear-local-progress")) forgetLocal();
    });
    document.querySelectorAll("[data-unsynced-note]").forEach(function (note) {
      var store = storage();
      note.hidden = !(store && !account && store.getItem(OWNER_KEY) && hasUnsynced());
    });
    document.querySelectorAll("[data-download-local]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var blob = new Blob([JSON.stringify(read(), null, 2)], { type: "application/json" });
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = "tendril-progress.json";
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
      });
    });
  }

  // After signing out, the next page says what became of this device's copy of the progress.
  var SIGNED_OUT_KEY = "tendril.progress.signed-out";
  var SIGNED_OUT_TEXT = {
    cleared: "You’re signed out. Your progress is safe in your account, and this browser’s copy has been removed, so the next person here starts fresh. Sign in again to carry on.",
    kept: "You’re signed out. Some progress made in this browser had not reached your account yet, so it stays on this device (never in anyone else’s account) and syncs when you sign in here again.",
  };

  function rememberSignOut(outcome) {
    try { window.sessionStorage.setItem(SIGNED_OUT_KEY, outcome); } catch (error) { /* private mode */ }
  }

  function sayHowSignOutLeftThisDevice() {
    var outcome = null;
    try {
      outcome = window.sessionStorage.getItem(SIGNED_OUT_KEY);
      window.sessionStorage.removeItem(SIGNED_OUT_KEY);
    } catch (error) { return; }
    var main = document.getElementById("main");
    if (!outcome || account || !main || !SIGNED_OUT_TEXT[outcome]) return;
    // The sign-in page already says what stayed on this device.
    if (outcome === "kept" && document.querySelector("[data-unsynced-note]:not([hidden])")) return;
    var note = document.createElement("p");
    note.className = "notice notice--ok signed-out-note";
    note.setAttribute("role", "status");
    note.setAttribute("data-signed-out-note", outcome);
    main.prepend(note);
    // Filled in after insertion, so screen readers announce it as a status message.
    setTimeout(function () { note.textContent = SIGNED_OUT_TEXT[outcome]; }, 50);
  }

  function keepNext(form, url) {
    var next = form.querySelector('input[name="next"]');
    if (!next) {
      next = document.createElement("input");
      next.type = "hidden";
      next.name = "next";
      form.appendChild(next);
    }
    next.value = url;
  }

  window.TendrilProgress = { read: read, update: update, lessonEntry: lessonEntry, now: now };

  document.addEventListener("tendril:progress-changed", function (event) { render(event.detail.doc); });
  render(read());
  watchLesson();
  watchContents();
  wireForms();
  sayHowSignOutLeftThisDevice();
  recordQuizResults();
  startSync();
})();
