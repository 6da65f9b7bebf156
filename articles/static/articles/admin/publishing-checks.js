'use strict';
// "Before you publish": the panel follows the form as an editor types (checked again a
// moment after the last keystroke; nothing is saved), and a finding's link, which may point
// into a folded section (or at the whole section), opens the fold and puts the cursor in
// the field to fix.
document.addEventListener('click', (event) => {
  const link = event.target.closest('.publishing-checks a[href^="#"]');
  if (!link) return;
  const target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
  if (!target) return;
  const fold = target.querySelector(':scope > details.section-fold') || target.closest('details');
  if (fold) fold.open = true;
  const field = target.matches('input, select, textarea')
    ? target
    : target.querySelector('.ProseMirror') || target.querySelector('details input:not([type=hidden]), details select');
  if (field) {
    event.preventDefault();
    field.scrollIntoView({block: 'center'});
    field.focus({preventScroll: true});
    history.replaceState(null, '', link.hash);
  }
});

document.addEventListener('DOMContentLoaded', () => {
  const IDLE_MS = 1200;
  const panel = document.getElementById('publishing-checks');
  const form = panel && panel.closest('form');
  if (form && panel.dataset.checksUrl) {
    const url = panel.dataset.checksUrl;
    let timer = null;
    let asked = 0;
    const refresh = async () => {
      const data = new FormData(form);
      const cover = form.querySelector('input[type=file][name=cover]');
      data.delete('cover'); // never upload the image just to check it
      if (cover && cover.files.length) data.set('cover_chosen', '1');
      const ask = ++asked;
      try {
        const response = await fetch(url, {method: 'POST', body: data, credentials: 'same-origin'});
        if (!response.ok || ask !== asked) return;
        const {html} = await response.json();
        const current = document.getElementById('publishing-checks');
        if (current) current.outerHTML = html;
      } catch (error) {
        // Offline or the server is restarting: the panel keeps the last checks.
      }
    };
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, IDLE_MS);
    };
    form.addEventListener('input', later);
    form.addEventListener('change', later);
  }
});
