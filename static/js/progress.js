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
  var SYNC_DELAY_MS = 800;
  var RETRY_DELAYS_MS = [2000, 5000, 15000, 30000, 60000];
  var TEXT = {
    synced: "Synced just now",
    offline: "Offline — saved on this device",
    failed: "Sync failed — retrying",
    saving: "Saved on this device — syncing…",
  };

  function now() { return new Date().toISOString(); }
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
    dirty = true;
    announce(doc);
    if (account) setStatus(navigator.onLine === false ? TEXT.offline : TEXT.saving);
    scheduleSync(SYNC_DELAY_MS);
  }

  // ---- Sync (signed-in learners only) ----
  var session = document.querySelector("[data-progress-session]");
  var syncUrl = session ? session.getAttribute("data-sync-url") : null;
  var account = session ? session.getAttribute("data-account") : null;
  var syncTimer = null;
  var inFlight = null;
  var again = false;
  var failures = 0;
  var dirty = false;

  function setStatus(text) {
    var status = document.getElementById("sync-status");
    if (status && account) status.textContent = text;
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (error) { return ""; }
  }

  function scheduleSync(delay) {
    if (!account || !syncUrl) return;
    clearTimeout(syncTimer);
    syncTimer = setTimeout(sync, delay);
  }

  // Resolves true when the account and this device hold the same document.
  function sync() {
    if (!account || !syncUrl) return Promise.resolve(false);
    if (inFlight) { again = true; return inFlight.then(function () { return !dirty; }); }
    if (navigator.onLine === false) { setStatus(TEXT.offline); return Promise.resolve(false); }
    var sent = JSON.stringify(read());
    inFlight = fetch(syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: sent,
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error((body && body.error) || "HTTP " + response.status);
        return body;
      });
    }).then(function (body) {
      failures = 0;
      var rejected = body.rejected_attempts || [];
      if (rejected.length) warn("quiz results that could not be verified were dropped", rejected);
      var current = JSON.stringify(read());
      if (current !== sent) { again = true; return false; }  // changed meanwhile: send again
      // Nothing changed here while the request ran: the merged document replaces ours.
      write(body.document);
      dirty = false;
      if (JSON.stringify(body.document) !== current) announce(body.document);
      setStatus(TEXT.synced + (rejected.length ? " (" + rejected.length + " unverified quiz result removed)" : ""));
      return true;
    }).catch(function (error) {
      failures += 1;
      setStatus(navigator.onLine === false ? TEXT.offline : TEXT.failed);
      warn("sync failed", error);
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
    if (owner && owner !== account) write(emptyDoc());
    if (store) { try { store.setItem(OWNER_KEY, account); } catch (error) { /* private mode */ } }
    window.addEventListener("online", function () { sync(); });
    window.addEventListener("offline", function () { setStatus(TEXT.offline); });
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
      showPart(status.querySelector("[data-status-best]"), best ? "Best: " + best.score + "/" + best.total : "");
      showPart(status.querySelector("[data-status-last-read]"), entry.last_read_at ? "Last read: " + formatDay(entry.last_read_at) : "");
      showPart(status.querySelector("[data-status-sections]"), count.read ? count.read + " of " + count.total + " sections read" : "");
      status.hidden = !(best || entry.last_read_at || count.read);
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
        percent + "% read" + (best ? " · Best: " + best.score + "/" + best.total : "");
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
        var finished = new Date(el.getAttribute("data-finished-at"));
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

    if (!("IntersectionObserver" in window) || !outline.length) return;
    var pending = [];
    var flushTimer = null;
    function flush() {
      var ids = pending; pending = [];
      update(function (doc) {
        var entry = lessonEntry(doc, slug);
        var at = now();
        ids.forEach(function (id) { if (!(id in entry.sections_read)) entry.sections_read[id] = at; });
        entry.last_read_at = at;
      });
    }
    var seen = {};
    var observer = new IntersectionObserver(function (records) {
      records.forEach(function (record) {
        var id = record.target.id;
        if (record.isIntersecting && !seen[id]) { seen[id] = true; pending.push(id); observer.unobserve(record.target); }
      });
      if (pending.length) { clearTimeout(flushTimer); flushTimer = setTimeout(flush, 300); }
    }, { rootMargin: "0px 0px -40% 0px" });
    lesson.querySelectorAll("section[id]").forEach(function (section) {
      if (outline.indexOf(section.id) !== -1) observer.observe(section);
    });
  }

  function wireForms() {
    document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
      // Signing out on a shared computer leaves nothing behind, once everything has synced;
      // what could not sync stays here (and never merges into another account).
      form.addEventListener("submit", function (event) {
        if (!account || form.getAttribute("data-synced") === "yes") return;
        if (!dirty) { forgetLocal(); return; }
        event.preventDefault();
        syncNow(3).then(function (synced) {
          if (synced) forgetLocal();
          form.setAttribute("data-synced", "yes");
          form.submit();
        });
      });
    });
    document.querySelectorAll("form[data-clear-local-progress]").forEach(function (form) {
      form.addEventListener("submit", forgetLocal);
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

  window.TendrilProgress = { read: read, update: update, lessonEntry: lessonEntry, now: now };

  document.addEventListener("tendril:progress-changed", function (event) { render(event.detail.doc); });
  render(read());
  watchLesson();
  wireForms();
  recordQuizResults();
  startSync();
})();
