'use strict';
// The article form: a live standfirst count, sections that fold, and names for the controls
// that third-party widgets (the rich-text editor, select2's tag search) leave unnamed.
{
  // A live character count for the standfirst: search engines show about 160 characters.
  const attachCounter = (field) => {
    const target = Number(field.dataset.counterTarget);
    const counter = document.createElement('span');
    counter.className = 'help standfirst-counter';
    counter.setAttribute('aria-live', 'polite');
    counter.id = `${field.id}_counter`;
    field.setAttribute('aria-describedby', `${field.getAttribute('aria-describedby') || ''} ${counter.id}`.trim());
    // Below the field, aligned like the admin's help texts.
    (field.closest('.flex-container') || field).insertAdjacentElement('afterend', counter);
    const update = () => {
      const length = field.value.length;
      const over = length > target;
      counter.textContent = over
        ? `${length} characters: ${length - target} over the ${target} that search results show`
        : `${length} of about ${target} characters`;
      counter.classList.toggle('is-long', over);
    };
    field.addEventListener('input', update);
    update();
  };

  // Sections fold under their headings; two buttons open or close them all.
  const attachFoldButtons = (group) => {
    const folds = () => group.querySelectorAll('.inline-related:not(.empty-form) > details.section-fold');
    const buttons = group.querySelector('.section-list-buttons');
    buttons.addEventListener('click', (event) => {
      const open = event.target.closest('[data-sections-open]') !== null;
      if (open || event.target.closest('[data-sections-close]')) {
        folds().forEach((fold) => { fold.open = open; });
      }
    });
    buttons.hidden = false;
  };

  // The rich-text editor's editable area is named by the field's label and described by its
  // help text, as the textarea it replaces was.
  document.addEventListener('prose-editor:ready', (event) => {
    const {editor, textarea} = event.detail;
    const row = textarea.closest('.form-row') || document;
    const label = row.querySelector(`label[for="${textarea.id}"]`);
    const help = document.getElementById(`${textarea.id}_helptext`);
    const attributes = {'aria-multiline': 'true'};
    if (label) {
      label.id = label.id || `${textarea.id}_label`;
      attributes['aria-labelledby'] = label.id;
    }
    if (help) attributes['aria-describedby'] = help.id;
    editor.setOptions({editorProps: {attributes}});
  });

  // select2 (the tag picker) types into a search box of its own, which it leaves unnamed;
  // the admin's scripts build it after the page has loaded, so watch for it.
  const nameTagSearch = (row) => {
    const name = () => row.querySelectorAll('.select2-search__field:not([aria-label])').forEach((search) => {
      search.setAttribute('aria-label', 'Add a tag');
    });
    new MutationObserver(name).observe(row, {childList: true, subtree: true});
    name();
  };

  document.addEventListener('DOMContentLoaded', () => {
    document.querySelectorAll('textarea[data-counter-target]').forEach(attachCounter);
    document.querySelectorAll('.section-inlines').forEach(attachFoldButtons);
    document.querySelectorAll('.form-row.field-tags').forEach(nameTagSearch);
  });
}
