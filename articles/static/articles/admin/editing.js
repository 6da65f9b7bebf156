'use strict';
// A live character count for the standfirst: search engines show about 160 characters.
{
  const attach = (field) => {
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
  document.addEventListener('DOMContentLoaded', () => {
    document.querySelectorAll('textarea[data-counter-target]').forEach(attach);
  });
}
