// The postmortem builder ("Draft your postmortem"): loaded only by the builder page.
// Everything here enhances a form that already works without JavaScript:
// character counters, extra action-item rows (from the server's empty row), drafts saved in the browser (and synced for
// signed-in learners) through window.TendrilProgress (static/js/progress.js), copy and print.
(function () {
  "use strict";

  var root = document.querySelector(".practice[data-lesson-slug]");
  var form = document.getElementById("practice-form");
  if (!root || !form) return;

  var slug = root.getAttribute("data-lesson-slug");
  var MAX_CHARS = Number(root.getAttribute("data-max-chars")) || 10000;
  var COUNTER_FROM = Number(root.getAttribute("data-counter-from")) || 0;
  var MAX_ROWS = Number(root.getAttribute("data-max-action-items")) || 20;
  // The server sets the limit (PROGRESS_DRAFT_LIMITS); it also refuses a draft past it.
  var MAX_FIELDS = Number(root.getAttribute("data-max-fields")) || Infinity;
  var MAX_LIVE_DRAFTS = 20;
  var MAX_ALL_DRAFTS = 120;
  var SYNC_BUDGET = 200 * 1024; // the sync API takes documents up to 256 KB
  var SAVE_DELAY_MS = 400;
  var CURRENT_KEY = "tendril.practice.current." + slug;
  var EXAMPLE_KEY = "tendril.practice.example." + slug;
  var FIELD_KEY = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
  var ROW_KEY = /^action_items\.(\d+)\./;

  function isObject(value) { return value !== null && typeof value === "object" && !Array.isArray(value); }
  function $(selector, scope) { return (scope || document).querySelector(selector); }
  function $all(selector, scope) { return Array.prototype.slice.call((scope || document).querySelectorAll(selector)); }

  // ---- The store: TendrilProgress, or (if progress.js is missing) this page's memory only ----
  var memoryDoc = { version: 1, lessons: {} };
  var base = window.TendrilProgress || {
    read: function () { return JSON.parse(JSON.stringify(memoryDoc)); },
    update: function (mutator) { var doc = this.read(); mutator(doc); memoryDoc = doc; },
    lessonEntry: function (doc, lessonSlug) {
      if (!isObject(doc.lessons[lessonSlug])) doc.lessons[lessonSlug] = {};
      var entry = doc.lessons[lessonSlug];
      if (!isObject(entry.drafts)) entry.drafts = {};
      return entry;
    },
    now: function () { return new Date().toISOString(); },
  };

  // Our own saves also announce "tendril:progress-changed"; only others' changes matter here.
  var saving = false;
  var store = {
    read: function () { return base.read(); },
    update: function (mutator) {
      saving = true;
      try { base.update(mutator); } finally { saving = false; }
    },
    lessonEntry: function (doc, lessonSlug) { return base.lessonEntry(doc, lessonSlug); },
    now: function () { return base.now(); },
  };

  function draftsOf(doc) { return store.lessonEntry(doc, slug).drafts; }
  function isLive(draft) { return isObject(draft) && !(isObject(draft.deleted) && draft.deleted.value === true); }
  function fieldText(draft, key) {
    var field = isObject(draft) && isObject(draft.fields) ? draft.fields[key] : null;
    return isObject(field) && typeof field.text === "string" ? field.text : "";
  }
  function lastTouched(draft) {
    var latest = isObject(draft.title) ? String(draft.title.at || "") : "";
    Object.keys(draft.fields || {}).forEach(function (key) {
      var at = String((draft.fields[key] || {}).at || "");
      if (at > latest) latest = at;
    });
    return latest;
  }
  function liveDrafts(doc) {
    var drafts = draftsOf(doc);
    return Object.keys(drafts).filter(function (id) { return isLive(drafts[id]); })
      .sort(function (a, b) { return lastTouched(drafts[b]).localeCompare(lastTouched(drafts[a])); });
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function local(key, value) {
    try {
      if (value === undefined) return window.localStorage.getItem(key);
      if (value === null) window.localStorage.removeItem(key); else window.localStorage.setItem(key, value);
    } catch (error) { /* storage blocked: drafts live only as long as the page */ }
    return null;
  }

  // ---- Status line of the drafts panel ----
  var panel = $("[data-drafts]");
  var statusLine = $("[data-draft-status]");
  function say(text) { if (statusLine) statusLine.textContent = text; }

  // ---- Reading and writing the form ----
  function controls() {
    return $all("input[name], textarea[name], select[name]", form).filter(function (el) {
      return el.type !== "hidden" && el.type !== "submit" && FIELD_KEY.test(el.name);
    });
  }
  function valueOf(el) { return el.type === "checkbox" ? (el.checked ? "on" : "") : el.value; }
  function setValue(el, text) {
    if (el.type === "checkbox") { el.checked = text === "on"; return; }
    if (el.tagName === "SELECT") {
      var known = $all("option", el).some(function (option) { return option.value === text; });
      el.value = known ? text : el.options[0].value;
      return;
    }
    el.value = text;
  }
  function blankValue(el) { return el.tagName === "SELECT" ? (el.name === "status" ? "draft" : el.options[0].value) : ""; }

  // The counter shows only near the limit (from data-counter-from); far from it, it is noise.
  function updateCounter(el) {
    var counter = document.getElementById(el.id + "-count");
    if (!counter) return;
    var length = el.value.length;
    var near = length >= COUNTER_FROM;
    counter.hidden = !near;
    counter.textContent = near ? length + " / " + MAX_CHARS + " characters" + (length > MAX_CHARS ? ": " + (length - MAX_CHARS) + " over the limit" : "") : "";
    counter.classList.toggle("char-count--over", length > MAX_CHARS);
  }

  // ---- Action-item rows ----
  var rowList = $("[data-action-items]");
  var addButton = $("[data-add-action]");
  function rows() { return $all("[data-action-row]", rowList); }

  // A new row is the server's own empty row (formset.empty_form in a <template>), renumbered;
  // the formset's TOTAL_FORMS count follows, so a post reads every row.
  var rowTemplate = $("template[data-action-template]");
  var totalForms = $("input[name='action_items-TOTAL_FORMS']", form);
  function addRow() {
    var count = rows().length;
    if (!rowTemplate || !rowList || count >= MAX_ROWS) return null;
    var holder = document.createElement("div");
    holder.innerHTML = rowTemplate.innerHTML.replace(/__prefix__/g, String(count)).replace(/--prefix--/g, String(count));
    var row = holder.querySelector("[data-action-row]");
    $("[data-row-number]", row).textContent = String(count + 1);
    rowList.appendChild(row);
    if (totalForms) totalForms.value = String(rows().length);
    $all("input[name], textarea[name], select[name]", row).forEach(updateCounter);
    if (window.htmx) window.htmx.process(row);
    if (addButton) addButton.hidden = rows().length >= MAX_ROWS;
    return row;
  }
  function ensureRows(count) {
    while (rows().length < Math.min(count, MAX_ROWS) && addRow()) { /* add */ }
  }
  if (addButton) {
    addButton.addEventListener("click", function (event) {
      event.preventDefault();
      var row = addRow();
      if (row) $("textarea, input, select", row).focus();
    });
  }

  // ---- Drafts ----
  var currentId = null;
  var pending = {};
  var saveTimer = null;
  var warnedKeys = {};

  function createDraft(name) {
    var doc = store.read();
    var drafts = draftsOf(doc);
    if (liveDrafts(doc).length >= MAX_LIVE_DRAFTS) {
      say("You have " + MAX_LIVE_DRAFTS + " drafts, the most this page keeps. Delete one to start another.");
      return null;
    }
    if (Object.keys(drafts).length >= MAX_ALL_DRAFTS) {
      say("This browser holds too many deleted drafts to start another.");
      return null;
    }
    var id = newId();
    store.update(function (fresh) {
      draftsOf(fresh)[id] = { title: { text: name || "", at: store.now() }, fields: {} };
    });
    return id;
  }

  function choose(id) {
    currentId = id;
    local(CURRENT_KEY, id);
    var hidden = $("[data-draft-id]", form);
    if (hidden) hidden.value = id || "";
  }

  function ensureDraft() {
    if (currentId && isLive(draftsOf(store.read())[currentId])) return currentId;
    var id = createDraft("");
    if (id) { choose(id); renderPanel(); }
    return id;
  }

  function labelFor(draft) {
    var name = isObject(draft.title) ? String(draft.title.text || "").trim() : "";
    return name || fieldText(draft, "title").trim() || "Untitled draft";
  }

  function renderPanel() {
    if (!panel) return;
    var doc = store.read();
    var drafts = draftsOf(doc);
    var select = $("[data-draft-select]", panel);
    var ids = liveDrafts(doc);
    select.textContent = "";
    if (!ids.length) {
      var none = document.createElement("option");
      none.value = "";
      none.textContent = "No saved drafts yet";
      select.appendChild(none);
    }
    ids.forEach(function (id) {
      var option = document.createElement("option");
      option.value = id;
      option.textContent = labelFor(drafts[id]);
      option.selected = id === currentId;
      select.appendChild(option);
    });
    var nameInput = $("[data-draft-name]", panel);
    if (document.activeElement !== nameInput) {
      nameInput.value = currentId && drafts[currentId] && isObject(drafts[currentId].title) ? String(drafts[currentId].title.text || "") : "";
    }
    $("[data-draft-delete]", panel).disabled = !currentId;
    $("[data-draft-rename]", panel).disabled = !currentId;
  }

  function flush() {
    clearTimeout(saveTimer);
    var keys = Object.keys(pending);
    if (!keys.length) return;
    var values = pending;
    pending = {};
    var id = ensureDraft();
    if (!id) return;
    var skipped = [];
    store.update(function (doc) {
      var draft = draftsOf(doc)[id];
      if (!isObject(draft)) return;
      if (!isObject(draft.fields)) draft.fields = {};
      var at = store.now();
      keys.forEach(function (key) {
        var text = values[key];
        if (text.length > MAX_CHARS) { skipped.push(key); return; }
        if (!(key in draft.fields)) {
          if (text === "") return; // nothing to remember yet
          if (Object.keys(draft.fields).length >= MAX_FIELDS) {
            // Make room: fields emptied long ago carry no text.
            var empty = Object.keys(draft.fields).filter(function (k) { return draft.fields[k].text === "" && !(k in values); });
            if (!empty.length) { skipped.push(key); return; }
            delete draft.fields[empty[0]];
          }
        }
        draft.fields[key] = { text: text, at: at };
      });
    });
    if (skipped.length) {
      var first = skipped[0];
      if (!warnedKeys[first]) {
        warnedKeys[first] = true;
        say(values[first].length > MAX_CHARS
          ? "A field is over " + MAX_CHARS + " characters, so its latest text is not saved in this browser. Shorten it to save it."
          : "This draft has too many fields to save more. Clear some action items, or start a new draft.");
      }
    } else {
      say("Draft saved in this browser.");
      warnedKeys = {};
    }
    var size = JSON.stringify(store.read()).length;
    if (size > SYNC_BUDGET) say("Your drafts are large; delete old ones so they keep syncing.");
    renderPanel();
  }

  function queue(el) {
    pending[el.name] = valueOf(el);
    clearTimeout(saveTimer);
    saveTimer = setTimeout(flush, SAVE_DELAY_MS);
  }

  function fillForm(draft) {
    var maxRow = -1;
    Object.keys((draft && draft.fields) || {}).forEach(function (key) {
      var found = ROW_KEY.exec(key);
      if (found && fieldText(draft, key) !== "") maxRow = Math.max(maxRow, Number(found[1]));
    });
    ensureRows(maxRow + 2);
    controls().forEach(function (el) {
      var known = draft && isObject(draft.fields) && el.name in draft.fields;
      setValue(el, known ? fieldText(draft, el.name) : blankValue(el));
      updateCounter(el);
    });
    $all(".coach", form).forEach(function (region) { region.textContent = ""; });
  }

  function refreshReview() {
    form.dispatchEvent(new CustomEvent("practice-restored"));
  }

  function saveWholeForm() {
    // The server re-rendered what was posted; keep it in the draft, and forget action-item
    // keys the server dropped (empty rows are removed and the rest renumbered).
    var present = {};
    controls().forEach(function (el) { present[el.name] = true; pending[el.name] = valueOf(el); });
    var draft = currentId && draftsOf(store.read())[currentId];
    if (isObject(draft) && isObject(draft.fields)) {
      Object.keys(draft.fields).forEach(function (key) {
        if (ROW_KEY.test(key) && !present[key] && fieldText(draft, key) !== "") pending[key] = "";
      });
    }
    flush();
  }

  function openDraft(id) {
    flush();
    choose(id);
    fillForm(id ? draftsOf(store.read())[id] : null);
    renderPanel();
    refreshReview();
  }

  function wirePanel() {
    if (!panel) return;
    panel.hidden = false;
    $("[data-draft-select]", panel).addEventListener("change", function (event) {
      if (event.target.value) { openDraft(event.target.value); say("Opened “" + event.target.selectedOptions[0].textContent + "”."); }
    });
    $("[data-draft-new]", panel).addEventListener("click", function () {
      flush();
      var id = createDraft("");
      if (!id) return;
      openDraft(id);
      say("Started a new, empty draft.");
      var first = controls()[0];
      if (first) first.focus();
    });
    function rename() {
      if (!currentId) return;
      var name = $("[data-draft-name]", panel).value.trim().slice(0, 200);
      store.update(function (doc) {
        var draft = draftsOf(doc)[currentId];
        if (isObject(draft)) draft.title = { text: name, at: store.now() };
      });
      renderPanel();
      say(name ? "Renamed to “" + name + "”." : "Name cleared: the draft shows its postmortem title.");
    }
    $("[data-draft-rename]", panel).addEventListener("click", rename);
    $("[data-draft-name]", panel).addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); rename(); }
    });
    $("[data-draft-delete]", panel).addEventListener("click", function () {
      if (!currentId) return;
      var doc = store.read();
      var name = labelFor(draftsOf(doc)[currentId] || {});
      if (!window.confirm("Delete the draft “" + name + "”? This cannot be undone.")) return;
      var id = currentId;
      pending = {};
      store.update(function (fresh) {
        var draft = draftsOf(fresh)[id];
        if (!isObject(draft)) return;
        var at = store.now();
        draft.deleted = { value: true, at: at };
        // A tombstone keeps no text: the deletion syncs, the words do not linger.
        Object.keys(draft.fields || {}).forEach(function (key) { draft.fields[key] = { text: "", at: at }; });
      });
      var next = liveDrafts(store.read())[0] || null;
      openDraft(next);
      say("Deleted “" + name + "”." + (next ? " Opened your most recent other draft." : ""));
    });
  }

  // ---- Copy and print ----
  function csrfToken() {
    var input = $("input[name=csrfmiddlewaretoken]", form);
    return input ? input.value : "";
  }
  var copyButton = $("[data-copy-markdown]");
  var copyStatus = document.getElementById("copy-status");
  if (copyButton && navigator.clipboard) {
    copyButton.hidden = false;
    copyButton.addEventListener("click", function () {
      fetch(root.getAttribute("data-export-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() },
        body: new FormData(form),
      }).then(function (response) {
        if (!response.ok) throw new Error("fields");
        return response.text();
      }).then(function (markdown) {
        return navigator.clipboard.writeText(markdown);
      }).then(function () {
        copyStatus.textContent = "Copied the postmortem as Markdown.";
      }).catch(function (error) {
        copyStatus.textContent = error && error.message === "fields"
          ? "Some fields need attention first: use “Check my draft” to see which."
          : "Copying failed here; use “Download as Markdown” instead.";
      });
    });
  }
  var printButton = $("[data-print]");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }

  // ---- Wiring ----
  form.addEventListener("input", function (event) {
    var el = event.target;
    if (!el.name || !FIELD_KEY.test(el.name)) return;
    updateCounter(el);
    queue(el);
  });
  form.addEventListener("change", function (event) {
    var el = event.target;
    if (el.name && FIELD_KEY.test(el.name) && (el.tagName === "SELECT" || el.type === "checkbox" || el.type === "date")) queue(el);
  });
  form.addEventListener("submit", flush);
  window.addEventListener("pagehide", flush);

  document.addEventListener("tendril:progress-changed", function (event) {
    // Another tab or device changed the drafts: show their words unless this one is typing.
    if (saving || !event.detail || !isObject(event.detail.doc)) return;
    if (!currentId) {
      // A first sync on this device brought drafts from another one: open the latest.
      var latest = liveDrafts(event.detail.doc)[0];
      if (latest && !Object.keys(pending).length) { openDraft(latest); say("Opened your latest draft from another device."); }
      return;
    }
    var draft = draftsOf(event.detail.doc)[currentId];
    if (!isLive(draft)) { renderPanel(); return; }
    controls().forEach(function (el) {
      if (el === document.activeElement || el.name in pending || !(el.name in (draft.fields || {}))) return;
      var text = fieldText(draft, el.name);
      if (valueOf(el) !== text) { setValue(el, text); updateCounter(el); }
    });
    renderPanel();
  });

  function exampleDraft(drafts, name) {
    var remembered = local(EXAMPLE_KEY);
    if (remembered && isLive(drafts[remembered])) return remembered;
    // Another device made it (drafts sync; this key does not): know it by its name.
    return Object.keys(drafts).filter(function (id) {
      return isLive(drafts[id]) && isObject(drafts[id].title) && drafts[id].title.text === name;
    })[0] || null;
  }

  function start() {
    controls().forEach(updateCounter);
    wirePanel();
    var source = root.getAttribute("data-source");
    var doc = store.read();
    var drafts = draftsOf(doc);
    var remembered = local(CURRENT_KEY);
    if (source === "example") {
      // One example draft per lesson: asking again opens it (with the learner's changes)
      // instead of starting an identical copy.
      var exampleName = "Example: " + (root.getAttribute("data-example-name") || "worked example");
      var existing = exampleDraft(drafts, exampleName);
      if (existing) {
        choose(existing);
        fillForm(drafts[existing]);
        setTimeout(refreshReview, 0);
        say("Opened your example draft. “New draft” starts a blank one.");
      } else {
        var id = createDraft(exampleName);
        if (id) { choose(id); local(EXAMPLE_KEY, id); saveWholeForm(); }
      }
      if (window.history && history.replaceState) history.replaceState(null, "", window.location.pathname);
    } else if (source === "post") {
      var posted = $("[data-draft-id]", form).value;
      var target = isLive(drafts[posted]) ? posted : (isLive(drafts[remembered]) ? remembered : null);
      if (target) choose(target);
      saveWholeForm();
    } else {
      var open = isLive(drafts[remembered]) ? remembered : liveDrafts(doc)[0];
      if (open) { choose(open); fillForm(drafts[open]); setTimeout(refreshReview, 0); }
    }
    renderPanel();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
