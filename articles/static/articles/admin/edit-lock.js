'use strict';
// The article's edit lock (articles.admin.concurrency): renewed while the form is open, so
// that others see who is editing it; the banner follows what the server says (someone took
// over, or the lock came back), and "Take over editing" works without leaving the page.
{
  document.addEventListener('DOMContentLoaded', () => {
    const banner = document.getElementById('edit-lock');
    if (!banner) return;
    const token = document.querySelector('input[name=csrfmiddlewaretoken]');
    const seconds = Number(banner.dataset.heartbeat) || 30;

    const send = async (action) => {
      const body = new FormData();
      body.append('csrfmiddlewaretoken', token.value);
      body.append('action', action);
      try {
        const response = await fetch(banner.dataset.url, {
          method: 'POST', body, credentials: 'same-origin', headers: {Accept: 'application/json'},
        });
        if (!response.ok) return;
        const next = document.createElement('template');
        next.innerHTML = (await response.json()).html.trim();
        const fresh = next.content.firstElementChild;
        banner.className = fresh.className;
        // Only a change of words is announced: the form's token differs on every answer.
        if (banner.textContent.trim() !== fresh.textContent.trim()) banner.innerHTML = fresh.innerHTML;
      } catch {
        // Offline for a moment: the next heartbeat tries again.
      }
    };

    banner.addEventListener('submit', (event) => {
      event.preventDefault();
      send('take');
    });
    setInterval(() => send('renew'), seconds * 1000);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') send('renew');
    });
  });
}
