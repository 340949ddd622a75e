// veoui team pages: a Copy button next to a one-time link or password. Without JavaScript the field is
// still there to select and copy by hand.
for (const button of document.querySelectorAll("[data-copy]")) {
  const source = button.parentElement.querySelector("[data-copy-source]");
  if (!source || !navigator.clipboard) continue;
  button.hidden = false;
  const label = button.textContent;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(source.value);
      button.textContent = button.dataset.copied;
    } catch {
      source.select();
    }
    setTimeout(() => { button.textContent = label; }, 2000);
  });
}
