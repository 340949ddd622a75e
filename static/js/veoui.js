// veoui, every page: status cards check for news only while the tab is visible, and catch up when it returns.
(function () {
  "use strict";
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (document.hidden && event.detail.elt.matches("[hx-trigger^='every']")) {
      event.preventDefault();
    }
  });
  document.addEventListener("visibilitychange", () => {
    if (document.hidden || !window.htmx) return;
    document.querySelectorAll("[hx-trigger^='every']").forEach((element) => window.htmx.trigger(element, "refresh"));
  });
})();

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

// The tab title counts your videos in the making ("(2) veoui"); when one ends, a browser notification (once you
// allowed it: asked on your first Generate, never on page load) links to it. Polls only while something runs.
(function () {
  "use strict";
  const url = document.body && document.body.dataset.notifyUrl;
  if (!url) return;
  const baseTitle = document.title;
  const POLL_MS = 3000;
  let seen = [];
  let timer = null;

  function notify(item) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const note = new Notification(item.title, { body: item.body, tag: item.url });
    note.onclick = () => { window.focus(); window.location.href = item.url; };
  }

  function check() {
    timer = null;
    const query = seen.length ? "?seen=" + encodeURIComponent(seen.join(",")) : "";
    fetch(url + query, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (!data) return;
        document.title = data.running > 0 ? "(" + data.running + ") " + baseTitle : baseTitle;
        data.ended.forEach(notify);
        seen = data.ids;
        if (data.running > 0) schedule(POLL_MS);
      })
      .catch(() => schedule(POLL_MS * 3));
  }

  function schedule(delay) {
    if (timer === null) timer = setTimeout(check, delay);
  }

  document.addEventListener("click", (event) => {
    if (!event.target.closest("#generate-form button[type=submit], [data-asks-notifications]")) return;
    if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
  });
  // A new video was just asked for: look again shortly, even if nothing was running before.
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.elt && event.detail.elt.id === "generate-form") {
      if (timer !== null) { clearTimeout(timer); timer = null; }
      schedule(300);
    }
  });
  check();
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
