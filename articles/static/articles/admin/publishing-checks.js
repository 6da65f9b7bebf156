'use strict';
// "Before you publish": a finding's link may point into a folded section (or at the whole
// section): open the fold, then put the cursor in the field to fix.
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
