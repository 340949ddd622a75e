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
