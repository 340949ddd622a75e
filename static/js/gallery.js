// Choosing many videos in the gallery: a tick box on each tile (Space toggles the focused one), shift-click or
// shift+Space ticks every box from the one last changed to this one, "Select all on this page" and "Clear"; the
// bar says how many are chosen. Without this script the boxes still belong to the bar's form and its buttons work.
(function () {
  "use strict";
  const bar = document.querySelector("[data-bulk]");
  if (!bar) return;
  const count = bar.querySelector("[data-count]");
  let anchor = null; // the box last changed by hand: where a range starts

  const boxes = () => [...document.querySelectorAll("input[data-select]")];

  function show() {
    const n = boxes().filter((box) => box.checked).length;
    if (n === 0) count.textContent = count.dataset.none;
    else if (n === 1) count.textContent = count.dataset.one;
    else count.textContent = count.dataset.other.replace("2", String(n));
    bar.classList.toggle("bulk-bar--active", n > 0);
    bar.querySelectorAll("button[type=submit]").forEach((button) => { button.disabled = n === 0; });
  }

  // Every box between the anchor and this one takes this one's state.
  function range(box) {
    const all = boxes();
    const from = all.indexOf(anchor);
    const to = all.indexOf(box);
    if (from === -1 || to === -1) return;
    all.slice(Math.min(from, to), Math.max(from, to) + 1).forEach((other) => { other.checked = box.checked; });
  }

  document.addEventListener("click", (event) => {
    const box = event.target.closest("input[data-select]");
    if (!box) return;
    if (event.shiftKey) range(box);
    anchor = box;
    show();
  });
  // Shift+Space: the keyboard's shift-click (the box is toggled here, not by the browser).
  document.addEventListener("keydown", (event) => {
    const box = event.target.closest && event.target.closest("input[data-select]");
    if (!box || event.key !== " " || !event.shiftKey) return;
    event.preventDefault();
    box.checked = !box.checked;
    range(box);
    anchor = box;
    show();
  });
  document.addEventListener("keyup", (event) => {
    if (event.key === " " && event.shiftKey && event.target.closest && event.target.closest("input[data-select]")) {
      event.preventDefault();
    }
  });
  bar.querySelector("[data-select-all]").addEventListener("click", () => {
    boxes().forEach((box) => { box.checked = true; });
    show();
  });
  bar.querySelector("[data-clear]").addEventListener("click", () => {
    boxes().forEach((box) => { box.checked = false; });
    anchor = null;
    show();
  });
  // The gallery page to come back to: the filters may have changed since the page loaded (htmx).
  bar.addEventListener("submit", () => {
    bar.querySelector("input[name=next]").value = window.location.pathname + window.location.search;
  });
  document.addEventListener("htmx:afterSettle", () => {
    if (!anchor || !anchor.isConnected) anchor = null;
    show();
  });
  bar.querySelectorAll("[hidden]").forEach((button) => { button.hidden = false; });
  show();
})();
