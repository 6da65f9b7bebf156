'use strict';
// Never lose work. While an editor writes, the whole article form (title, standfirst, tags,
// every section's heading and rich-text body...) is kept every few seconds of idle time: in
// this browser first (localStorage, so a crash or a lost connection loses nothing), then on
// the server (articles/admin/autosave.py), never in the article itself. Reopening the form
// offers the newest unsaved copy: "Restore" fills the form (nothing is saved until Save),
// "Discard" forgets it. A successful save deletes it on the server; a copy kept here is
// dropped once the article has been saved since it was made.
{
  const IDLE_MS = 2000;
  const RETRY_MS = 15000;
  // Not the editor's words: the form's machinery, buttons and the row ids of its sections.
  const SKIP = /^(csrfmiddlewaretoken|_autosave_key|_save|_continue|_addanother|_saveandpreview|initial-.*)$|__prefix__|-(INITIAL_FORMS|MIN_NUM_FORMS|MAX_NUM_FORMS|id|article)$/;
  const TOTAL = /-TOTAL_FORMS$/;

  const newKey = () => (window.crypto && crypto.randomUUID
    ? crypto.randomUUID()
    : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`);

  // The rich-text editor over a textarea, if it is made yet (Tiptap keeps itself on its
  // editable element). One made later reads the textarea's value when it starts.
  const editorOf = (textarea) => {
    const wrapper = textarea.closest('.prose-editor');
    const editable = wrapper && wrapper.querySelector('.ProseMirror');
    return editable && editable.editor;
  };

  const store = {
    read(name) {
      try { return JSON.parse(localStorage.getItem(name)); } catch { return null; }
    },
    write(name, value) {
      try { localStorage.setItem(name, JSON.stringify(value)); return true; } catch { return false; }
    },
    remove(name) {
      try { localStorage.removeItem(name); } catch { /* storage refused: nothing kept */ }
    },
    names(prefix) {
      const found = [];
      try {
        for (let index = 0; index < localStorage.length; index += 1) {
          const name = localStorage.key(index);
          if (name && name.startsWith(prefix)) found.push(name);
        }
      } catch { /* storage refused */ }
      return found;
    },
  };

  const setUp = (form, config, ui) => {
    const prefix = `article-autosave:${config.user}:`;
    let key = newKey();
    const localName = () => (config.article ? `${prefix}${config.article}` : `${prefix}new:${key}`);
    let dirty = false;
    let waiting = false; // an offer is on screen: keep it safe until the editor chooses
    let timer = null;
    let lastSent = null;
    let inFlight = false;
    const keyInput = ui.keyInput;
    keyInput.value = key;

    const say = (text) => { ui.status.textContent = text; };
    const timeOf = (moment) => new Date(moment).toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});

    const snapshot = () => {
      const pairs = [];
      for (const [name, value] of new FormData(form)) {
        if (typeof value === 'string' && !SKIP.test(name)) pairs.push([name, value]);
      }
      return pairs;
    };

    // The form as the page opened it: scripts that poke it on load (the admin's related
    // widgets announce a "change") are not the editor writing.
    const baseline = JSON.stringify(snapshot());

    const keepLocally = (data, extra = {}) => store.write(localName(), {
      key, base: config.base, savedAt: Date.now(), acked: false, submitted: false, data, ...extra,
    });

    const post = (url, body) => fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        'X-CSRFToken': form.querySelector('[name=csrfmiddlewaretoken]').value,
      },
      body: JSON.stringify(body),
    });

    const save = async () => {
      timer = null;
      if (waiting || !dirty || inFlight) return;
      const data = snapshot();
      const body = JSON.stringify(data);
      dirty = false;
      if (body === lastSent || body === baseline) return;
      keepLocally(data);
      inFlight = true;
      try {
        const response = await post(config.url, {article: config.article, key, data});
        if (response.ok) {
          const answer = await response.json();
          lastSent = body;
          const kept = store.read(localName());
          if (kept && kept.key === key) store.write(localName(), {...kept, acked: true});
          say(`Unsaved changes kept at ${answer.when.split(', ').pop()}, in case this page closes. Press Save to put them in the article.`);
        } else if (response.status === 413) {
          say('This article is too long to keep automatically: press Save now and then.');
        } else {
          say('Your changes could not be kept on the server (are you still signed in?). They are kept in this browser.');
        }
      } catch {
        dirty = true;
        say('Offline: your changes are kept in this browser and sent when the connection is back.');
        timer = setTimeout(save, RETRY_MS);
      } finally {
        inFlight = false;
        if (dirty && !timer) timer = setTimeout(save, IDLE_MS);
      }
    };

    const changed = () => {
      if (waiting) return;
      dirty = true;
      clearTimeout(timer);
      timer = setTimeout(save, IDLE_MS);
    };

    // Fill the form from [name, value] pairs: section rows first, then every field.
    const restore = (data) => {
      const values = new Map();
      for (const [name, value] of data) {
        if (!values.has(name)) values.set(name, []);
        values.get(name).push(value);
      }
      for (const [name, [wanted]] of values) {
        if (!TOTAL.test(name)) continue;
        const total = form.querySelector(`[name="${CSS.escape(name)}"]`);
        const group = document.getElementById(`${name.replace(TOTAL, '')}-group`);
        const add = group && group.querySelector('.add-row a');
        for (let guard = 0; total && add && Number(total.value) < Number(wanted) && guard < 200; guard += 1) {
          add.click();
        }
      }
      const touched = new Set();
      for (const field of form.elements) {
        const name = field.name;
        if (!name || SKIP.test(name) || TOTAL.test(name) || field.type === 'file') continue;
        const given = values.get(name);
        if (field.type === 'checkbox') {
          const checked = Boolean(given && given.includes(field.value));
          if (field.checked !== checked) { field.checked = checked; touched.add(field); }
          continue;
        }
        if (field.type === 'radio') {
          field.checked = Boolean(given && given.includes(field.value));
          continue;
        }
        if (given === undefined || field.type === 'submit' || field.type === 'button') continue;
        if (field.multiple) {
          const options = new Set(given);
          for (const option of field.options) option.selected = options.delete(option.value);
          for (const value of options) field.add(new Option(value, value, true, true));
          touched.add(field);
          continue;
        }
        if (field.value === given[0]) continue;
        field.value = given[0];
        touched.add(field);
        const editor = editorOf(field);
        if (editor) editor.commands.setContent(given[0] || '', {emitUpdate: false});
      }
      touched.forEach((field) => {
        const fold = field.closest('details');
        if (fold) fold.open = true;
        field.dispatchEvent(new Event('input', {bubbles: true}));
        if (window.django && window.django.jQuery) window.django.jQuery(field).trigger('change');
      });
      return touched.size;
    };

    // What to offer: a copy in this browser that never reached the server wins; otherwise
    // the server's. A copy made before the article's last save is stale.
    const chooseOffer = () => {
      const names = config.article ? [localName()] : store.names(`${prefix}new:`);
      let local = null;
      for (const name of names) {
        const copy = store.read(name);
        const stale = !copy || !Array.isArray(copy.data) || copy.base !== config.base
          || (copy.submitted && !(config.offer && config.offer.key === copy.key))
          || (copy.acked && !(config.offer && config.offer.key === copy.key));
        if (stale) { store.remove(name); continue; }
        if (!local || copy.savedAt > local.copy.savedAt) local = {name, copy};
      }
      if (local && (!local.copy.acked || !config.offer)) {
        return {key: local.copy.key, data: local.copy.data, when: new Date(local.copy.savedAt).toLocaleString([], {dateStyle: 'medium', timeStyle: 'short'}), local: local.name};
      }
      return config.offer ? {...config.offer, local: local && local.name} : null;
    };

    const chosen = config.posted ? null : chooseOffer();
    // An offer the form already matches has nothing to give back.
    const offer = chosen && JSON.stringify(chosen.data) !== baseline ? chosen : null;
    if (offer) {
      waiting = true;
      ui.when.forEach((element) => { element.textContent = offer.when; });
      ui.offer.hidden = false;
      say('Autosave waits until you restore or discard the unsaved changes above.');
      ui.restore.addEventListener('click', () => {
        waiting = false;
        key = offer.key;
        keyInput.value = key;
        if (offer.local && offer.local !== localName()) store.remove(offer.local);
        ui.offer.hidden = true;
        const count = restore(offer.data);
        say(`Restored the unsaved changes from ${offer.when}${count ? '' : ' (the same as the form)'}: check them, then press Save to keep them.`);
        ui.status.focus();
        dirty = true;
        lastSent = null;
        changed();
      });
      ui.discard.addEventListener('click', () => {
        waiting = false;
        if (offer.local) store.remove(offer.local);
        store.remove(localName());
        post(config.discardUrl, {article: config.article, key: offer.key, discard: true}).catch(() => {});
        ui.offer.hidden = true;
        say('Discarded the unsaved changes. From now on, what you write is kept again.');
        ui.status.focus();
      });
    }

    form.addEventListener('input', changed);
    form.addEventListener('change', changed);
    document.addEventListener('formset:added', changed);
    document.addEventListener('formset:removed', changed);
    if (window.django && window.django.jQuery) {
      // select2 (the tags) announces its changes through jQuery only.
      window.django.jQuery(form).on('change', 'select', changed);
    }
    form.addEventListener('submit', () => {
      clearTimeout(timer);
      waiting = true;
      // Kept until the save is seen to have worked (the article's next base differs).
      if (!offer || ui.offer.hidden) keepLocally(snapshot(), {submitted: true});
    });
    // Closing the tab or switching away: whatever was typed since the last save stays here.
    const flush = () => {
      if (!dirty || waiting) return;
      const data = snapshot();
      if (JSON.stringify(data) !== baseline) keepLocally(data);
    };
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', () => { if (document.hidden) flush(); });
  };

  document.addEventListener('DOMContentLoaded', () => {
    const data = document.getElementById('autosave-config');
    const form = document.getElementById('article_form');
    if (!data || !form) return;
    const ui = {
      offer: document.querySelector('[data-autosave-offer]'),
      restore: document.querySelector('[data-autosave-restore]'),
      discard: document.querySelector('[data-autosave-discard]'),
      when: document.querySelectorAll('[data-autosave-when]'),
      status: document.querySelector('[data-autosave-status]'),
      keyInput: form.querySelector('input[name=_autosave_key]'),
    };
    setUp(form, JSON.parse(data.textContent), ui);
  });
}
