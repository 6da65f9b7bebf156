// The "then send readers to" autocomplete (select2): the box showing the chosen article says
// it is a textbox, so it needs a name of its own; it takes its field's label. select2 builds
// that box after the page is ready (the admin's autocomplete.js), so it is named as it appears.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const select of document.querySelectorAll("select.article-autocomplete")) {
    const label = select.labels.length ? select.labels[0].textContent.replace(/:\s*$/, "") : "";
    const name = () => {
      const shown = document.getElementById(`select2-${select.id}-container`);
      if (shown && label) shown.setAttribute("aria-label", label.trim());
      return Boolean(shown);
    };
    if (name()) continue;
    const watcher = new MutationObserver(() => name() && watcher.disconnect());
    watcher.observe(select.parentElement, { childList: true, subtree: true });
  }
});
