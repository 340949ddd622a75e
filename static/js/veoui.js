// Copy buttons (the seed on a video's page): no inline handlers, the page's policy forbids them.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.dataset.copy).then(() => {
    const label = button.textContent;
    button.textContent = button.dataset.copied;
    setTimeout(() => { button.textContent = label; }, 2000);
  });
});

// One status check for the whole page, every 2 seconds while it is in sight: what each card of work in progress
// shows, and the person's work last heard running. The answer swaps in only the cards that changed (htmx
// out-of-band), adds their new videos to the studio's list, and sets the tab title's count ("(2) veoui"); when one
// of theirs ends, a browser notification (once allowed: asked on a first Generate, never on page load) links to it.
// Nothing is asked while the tab is hidden; after 5 minutes without a touch of the page, every 30 seconds.
(function () {
  "use strict";
  const url = document.body && document.body.dataset.statusUrl;
  if (!url) return;
  const baseTitle = document.title;
  const EVERY_MS = 2000;
  const IDLE_EVERY_MS = 30000;
  const IDLE_AFTER_MS = 5 * 60 * 1000;
  let lastInput = Date.now();
  let asking = false;
  let arrived = true; // the first check is made whatever the page shows, for the title's count
  let timer = null;

  const every = () => (Date.now() - lastInput > IDLE_AFTER_MS ? IDLE_EVERY_MS : EVERY_MS);
  const news = () => document.getElementById("status-news");
  const listed = (selector, attribute) => [...document.querySelectorAll(selector)].map((el) => el.getAttribute(attribute));

  // What the answer said of the person's work: the count for the title, and a notification for each ending.
  function heard() {
    const running = Number(news().dataset.running);
    document.title = running > 0 ? `(${running}) ${baseTitle}` : baseTitle;
    news().querySelectorAll("p[data-url]").forEach(notify);
  }

  function ask() {
    const values = {
      shown: listed("[data-shown]", "data-shown").join(","),
      seen: news().dataset.ids,
    };
    const list = document.getElementById("recent-list");
    if (list) values.known = listed("#recent-list .gen-card", "id").map((id) => id.slice(11)).join(",");
    if (asking || document.hidden || (!values.shown && !values.seen && !arrived)) return;
    asking = true;
    arrived = false;
    const before = news();
    window.htmx.ajax("GET", url, { source: document.body, swap: "none", values: values })
      .then(() => { if (news() !== before) heard(); }, () => {})
      .finally(() => { asking = false; });
  }

  // Asks now, then again after the interval.
  function check() {
    ask();
    clearTimeout(timer);
    timer = setTimeout(check, every());
  }

  function notify(line) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const note = new Notification(line.dataset.title, { body: line.textContent, tag: line.dataset.url });
    note.onclick = () => { window.focus(); window.location.href = line.dataset.url; };
  }

  // A card the page was sent twice (by Generate, and by a check made while it was being sent) is kept once.
  document.addEventListener("htmx:afterSettle", () => {
    const kept = new Set();
    document.querySelectorAll("#recent-list .gen-card").forEach((card) => {
      if (kept.has(card.id)) card.remove();
      kept.add(card.id);
    });
  });
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) check();
  });
  ["pointerdown", "pointermove", "keydown", "scroll", "touchstart", "wheel"].forEach((name) =>
    document.addEventListener(name, () => {
      const idle = every() === IDLE_EVERY_MS;
      lastInput = Date.now();
      if (idle) check();
    }, { passive: true, capture: true }),
  );
  document.addEventListener("click", (event) => {
    if (!event.target.closest("#generate-form button[type=submit], [data-asks-notifications]")) return;
    if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
  });
  document.addEventListener("DOMContentLoaded", check);
})();

// Screen readers hear when a video's status changes (queued, generating, ready, failed) through the page's one
// polite live region: the status cards themselves are replaced on every check, so they can't carry it.
(function () {
  "use strict";
  const region = document.getElementById("live-status");
  if (!region) return;
  const known = new Map();

  function describe(card) {
    const title = card.querySelector(".gen-card__title");
    const stage = card.querySelector(".stage, .problem p");
    return [title, stage].filter(Boolean).map((element) => element.textContent.trim()).join(": ");
  }

  function announce(text) {
    region.textContent = "";
    setTimeout(() => { region.textContent = text; }, 50);
  }

  function look(root, speak) {
    const cards = root.matches && root.matches(".gen-card[data-status]") ? [root] : [];
    root.querySelectorAll(".gen-card[data-status]").forEach((card) => cards.push(card));
    cards.forEach((card) => {
      const before = known.get(card.id);
      known.set(card.id, card.dataset.status);
      if (speak && before !== card.dataset.status) announce(describe(card));
    });
  }

  look(document, false);
  document.addEventListener("htmx:load", (event) => look(event.detail.elt, true));
})();

// Cards of work in progress count their time and move their progress bar on by themselves, once a second, from
// the figures the server wrote on them (the same formula as the server's). A check brings a new card only when
// something else on it changed, so between changes nothing is re-rendered, sent or swapped.
(function () {
  "use strict";
  const arrived = new WeakMap();

  function secondsNow(element, attribute) {
    if (!arrived.has(element)) arrived.set(element, [Number(element.getAttribute(attribute)), performance.now()]);
    const [seconds, at] = arrived.get(element);
    return seconds + (performance.now() - at) / 1000;
  }

  function inWords(seconds, formats) {
    const whole = Math.floor(seconds);
    const minutes = Math.floor(whole / 60);
    const rest = String(whole % 60);
    const time = minutes
      ? formats.ms.replace("%(m)d", String(minutes)).replace("%(s)d", rest)
      : formats.s.replace("%(s)d", rest);
    return formats.sofar.replace("%(t)s", time);
  }

  function tick() {
    document.querySelectorAll("[data-elapsed-seconds][data-elapsed-formats]").forEach((element) => {
      const text = inWords(secondsNow(element, "data-elapsed-seconds"), JSON.parse(element.dataset.elapsedFormats));
      if (element.textContent !== text) element.textContent = text;
    });
    document.querySelectorAll("progress[data-progress-seconds]").forEach((bar) => {
      const fraction = secondsNow(bar, "data-progress-seconds") / Number(bar.dataset.typicalSeconds);
      const percent = Math.max(3, Math.min(95, Math.floor(fraction * 90)));
      if (Number(bar.value) !== percent) {
        bar.value = percent;
        bar.textContent = `${percent}%`;
      }
    });
  }

  setInterval(tick, 1000);
})();

// "Play all" on a group of variations: every video of the group from the start, together, so they can be
// compared side by side (only the first one with sound); pressed again, they all pause.
(function () {
  "use strict";
  const playing = (videos) => videos.some((video) => !video.paused && !video.ended);

  function show(root) {
    root.querySelectorAll("[data-play-all]").forEach((button) => { button.hidden = false; });
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-play-all]");
    if (!button) return;
    const group = button.closest("[data-variation-group]");
    const videos = [...group.querySelectorAll("video")].filter((video) => !video.closest("details:not([open])"));
    if (!button.dataset.playLabel) button.dataset.playLabel = button.textContent;
    if (playing(videos)) {
      videos.forEach((video) => video.pause());
      button.textContent = button.dataset.playLabel;
      return;
    }
    videos.forEach((video, index) => {
      video.muted = index > 0;
      video.currentTime = 0;
    });
    Promise.all(videos.map((video) => video.play().catch(() => {}))).then(() => {
      const start = videos[0] ? videos[0].currentTime : 0;
      videos.forEach((video) => { video.currentTime = start; });
    });
    button.textContent = button.dataset.pauseLabel;
  });
  // When the last of them ends or is paused by hand, the button says Play all again.
  ["ended", "pause"].forEach((name) => document.addEventListener(name, (event) => {
    const group = event.target.closest && event.target.closest("[data-variation-group]");
    const button = group && group.querySelector("[data-play-all]");
    if (!button || !button.dataset.playLabel || playing([...group.querySelectorAll("video")])) return;
    button.textContent = button.dataset.playLabel;
  }, true));
  document.addEventListener("DOMContentLoaded", () => show(document));
  document.addEventListener("htmx:afterSettle", (event) => show(event.target));
})();
// The language switcher applies a choice as soon as it is made; its button stays only for browsers without scripts.
document.addEventListener("change", (event) => {
  const select = event.target.closest(".language-form select");
  if (select) select.form.requestSubmit();
});
document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll(".language-form button")) button.hidden = true;
});
// Review: a comment's timecode seeks the page's player there; "At this moment" takes the player's current time (the
// seconds field stays for browsers without scripts); a link to a moment (?t=12.5, from a notice) starts there.
(function () {
  "use strict";
  const playerOf = (element) => {
    const panel = element.closest("[data-player]");
    const player = panel && document.querySelector(panel.dataset.player);
    return player || document.getElementById("main").querySelector("video");
  };
  const seek = (video, seconds) => {
    if (!video || !Number.isFinite(seconds)) return;
    if (video.readyState >= 1) video.currentTime = seconds;
    else video.addEventListener("loadedmetadata", () => { video.currentTime = seconds; }, { once: true });
  };
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-seek]");
    if (!button) return;
    const video = playerOf(button);
    seek(video, parseFloat(button.dataset.seek));
    if (video) video.scrollIntoView({ block: "nearest" });
  });
  // Before htmx (or the browser) sends the form: the moment is the player's time when the comment is posted.
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("[data-comment-form]");
    const seconds = form && form.querySelector("[name=at_seconds]");
    if (!seconds || !form.querySelector("[data-moment-seconds]").hidden) return;
    const video = playerOf(form);
    seconds.value = form.querySelector("[name=at_moment]").checked && video ? video.currentTime.toFixed(2) : "";
  }, true);
  function enhance(root) {
    for (const field of root.querySelectorAll("[data-moment-seconds]")) {
      if (!field.querySelector(".field-error")) field.hidden = true; // a mistake typed by hand stays in sight
    }
  }
  document.addEventListener("DOMContentLoaded", () => {
    enhance(document);
    const at = parseFloat(new URLSearchParams(window.location.search).get("t"));
    const panel = document.querySelector("[data-player]");
    if (panel && Number.isFinite(at)) seek(playerOf(panel), at);
  });
  document.addEventListener("htmx:afterSettle", (event) => enhance(event.target));
})();

// A scene export's focus point: a click on its still sets the Across and Down fields (which work without scripts
// too) and moves the dot there; changing the fields moves the dot.
(function () {
  "use strict";
  function place(picker) {
    const form = picker.closest("form");
    const dot = picker.querySelector(".focus-picker__dot");
    const x = form.querySelector("[data-focus='x']");
    const y = form.querySelector("[data-focus='y']");
    if (!dot || !x || !y) return;
    dot.style.left = `${Number(x.value) || 0}%`;
    dot.style.top = `${Number(y.value) || 0}%`;
    dot.hidden = false;
  }
  document.addEventListener("click", (event) => {
    const still = event.target.closest("[data-focus-picker] img");
    if (!still) return;
    const box = still.getBoundingClientRect();
    const form = still.closest("form");
    form.querySelector("[data-focus='x']").value = Math.round(((event.clientX - box.left) / box.width) * 100);
    form.querySelector("[data-focus='y']").value = Math.round(((event.clientY - box.top) / box.height) * 100);
    place(still.closest("[data-focus-picker]"));
  });
  document.addEventListener("input", (event) => {
    const field = event.target.closest("[data-focus]");
    const picker = field && field.form.querySelector("[data-focus-picker]");
    if (picker) place(picker);
  });
  const all = (root) => root.querySelectorAll("[data-focus-picker]").forEach(place);
  document.addEventListener("DOMContentLoaded", () => all(document));
  document.addEventListener("htmx:afterSettle", (event) => all(event.target));
})();

// Save this frame: the form sends the time its card's player is at (without JavaScript, the first frame).
document.addEventListener("submit", (event) => {
  const form = event.target.closest("[data-save-frame]");
  if (!form) return;
  const video = form.closest(".gen-card") && form.closest(".gen-card").querySelector("video");
  const time = form.querySelector("[name=t]");
  if (video && time && Number.isFinite(video.currentTime)) time.value = video.currentTime.toFixed(3);
}, true);

// A share link's page: the name an outside reviewer gives once fills every "Your name" on the page, and again after
// the page reloads from a comment or an approval (kept for this tab only; the page sets no cookie).
(() => {
  const KEY = "veoui-guest-name";
  const fields = () => document.querySelectorAll("input[name=guest_name]");
  const remembered = () => {
    try { return sessionStorage.getItem(KEY) || ""; } catch { return ""; }
  };
  document.addEventListener("input", (event) => {
    if (!event.target.matches("input[name=guest_name]")) return;
    const name = event.target.value;
    fields().forEach((field) => { if (field !== event.target) field.value = name; });
    try { sessionStorage.setItem(KEY, name); } catch { /* storage off: the fields still agree on this page */ }
  });
  document.addEventListener("DOMContentLoaded", () => {
    const name = remembered();
    if (name) fields().forEach((field) => { if (!field.value) field.value = name; });
  });
})();
