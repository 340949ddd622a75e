// A scene's page: trims from the shot's player, drag and drop of shots, the focus kept across htmx swaps, and the
// preview that plays the shots through. Without JavaScript the page still works: In and Out are number fields,
// Move up and Move down are plain forms, and the preview's player shows the first shot.
(function () {
  "use strict";

  // Set start here / Set end here: the player's current time goes into In or Out, and the shot's form is sent.
  document.querySelectorAll("[data-set-trim]").forEach((button) => { button.hidden = false; });
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-set-trim]");
    if (!button) return;
    const shot = button.closest(".shot");
    const player = shot.querySelector("[data-shot-player]");
    const field = shot.querySelector(`[data-trim="${button.dataset.setTrim}"]`);
    if (!player || !field) return;
    field.value = (Math.round(player.currentTime * 10) / 10).toFixed(1);
    field.form.requestSubmit();
  });

  // After Move up, Move down or Save, the list is swapped: the focus goes back to the same control, or to the
  // other move button of the same shot when the one pressed is gone (the shot is now first or last).
  // #shots carries data-ready while its buttons work (htmx makes a swapped list's forms work once it has settled).
  let focused = "";
  const shotList = () => document.getElementById("shots");
  if (shotList()) shotList().dataset.ready = "";
  document.addEventListener("htmx:beforeRequest", () => {
    focused = document.activeElement ? document.activeElement.id : "";
    if (shotList()) delete shotList().dataset.ready;
  });
  document.addEventListener("htmx:afterSettle", () => {
    document.querySelectorAll("[data-set-trim]").forEach((button) => { button.hidden = false; });
    if (shotList()) shotList().dataset.ready = "";
    if (!focused) return;
    const other = focused.replace(/-(up|down)$/, (_, way) => (way === "up" ? "-down" : "-up"));
    const target = document.getElementById(focused) || document.getElementById(other);
    if (target) target.focus();
  });

  // Drag and drop: the shot follows the pointer between the others; on drop the new order is sent.
  let dragged = null;
  let before = "";
  const order = (list) => [...list.querySelectorAll(".shot")].map((shot) => shot.dataset.shot);
  document.addEventListener("dragstart", (event) => {
    const shot = event.target.closest && event.target.closest(".shot[draggable]");
    if (!shot) return;
    dragged = shot;
    before = order(shot.parentElement).join(",");
    shot.classList.add("shot--dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", shot.dataset.shot);
  });
  document.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const over = event.target.closest && event.target.closest(".shot");
    if (!over || over.parentElement !== dragged.parentElement) return;
    event.preventDefault();
    if (over === dragged) return;
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    over.parentElement.insertBefore(dragged, after ? over.nextSibling : over);
  });
  document.addEventListener("drop", (event) => { if (dragged) event.preventDefault(); });
  document.addEventListener("dragend", () => {
    if (!dragged) return;
    const list = dragged.parentElement;
    dragged.classList.remove("shot--dragging");
    dragged = null;
    const now = order(list);
    if (now.join(",") === before || !list.dataset.orderUrl) return;
    const form = document.createElement("form");
    form.method = "post";
    form.action = list.dataset.orderUrl;
    form.hidden = true;
    form.setAttribute("hx-post", list.dataset.orderUrl);
    form.setAttribute("hx-target", "#shots");
    form.setAttribute("hx-swap", "outerHTML");
    now.forEach((id) => {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = "shot";
      input.value = id;
      form.append(input);
    });
    list.after(form);
    window.htmx.process(form);
    form.requestSubmit();
  });

  // The preview: one player that goes through the shots, each from its in point to its out point, muted ones
  // muted; the strip below shows where it is, and a click on a shot jumps there.
  const preview = document.querySelector("[data-scene-preview]");
  if (!preview) return;
  const player = preview.querySelector("[data-preview-player]");
  const shots = [...preview.querySelectorAll(".timeline__shot")];
  const now = preview.querySelector("[data-preview-now]");
  const playButton = preview.querySelector("[data-preview-play]");
  let current = -1;
  let ticking = false;
  preview.querySelectorAll(".timeline__item").forEach((item) => { item.style.flexGrow = item.dataset.seconds; });

  function show(index) {
    shots.forEach((shot, i) => {
      shot.parentElement.classList.toggle("timeline__item--current", i === index);
      if (i === index) shot.setAttribute("aria-current", "true");
      else shot.removeAttribute("aria-current");
    });
    now.textContent = index >= 0 ? shots[index].getAttribute("aria-label") : "";
  }

  function start(index) {
    if (index >= shots.length) { stop(); return; }
    current = index;
    const shot = shots[index].dataset;
    show(index);
    player.muted = shot.muted === "1";
    const go = () => {
      player.currentTime = Number(shot.start);
      player.play().catch(() => {});
      tick();
    };
    if (player.getAttribute("src") !== shot.src) {
      player.setAttribute("src", shot.src);
      player.addEventListener("loadedmetadata", go, { once: true });
      player.load();
    } else {
      go();
    }
  }

  function stop() {
    player.pause();
    current = -1;
    preview.dataset.finished = "true";
  }

  // Checked every frame while playing, so a shot ends close to its out point (timeupdate comes only 4 times a second).
  function tick() {
    if (ticking) return;
    ticking = true;
    const step = () => {
      if (current < 0 || player.paused) { ticking = false; return; }
      if (player.currentTime >= Number(shots[current].dataset.end) - 0.03 || player.ended) {
        ticking = false;
        start(current + 1);
        return;
      }
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  }

  player.addEventListener("play", () => { if (current < 0) start(0); else tick(); });
  player.addEventListener("ended", () => { if (current >= 0) start(current + 1); });
  shots.forEach((shot, index) => shot.addEventListener("click", () => { delete preview.dataset.finished; start(index); }));
  playButton.hidden = false;
  playButton.addEventListener("click", () => { delete preview.dataset.finished; start(0); });
})();
