/* The contents list: open on wide screens, where the stylesheet already shows it (so
   assistive technology hears it open too); it marks the section being read
   (aria-current="location") and, where it stands sticky beside the text, keeps that
   entry in its own view, except while the reader's pointer or keyboard focus is in the
   list: it never moves under a hand about to click an entry or a wheel scrolling it.
   Without this script the list works the same, unmarked. */
(function () {
  var toc = document.querySelector(".toc");
  if (!toc || !window.requestAnimationFrame || !window.matchMedia) return;
  var disclosure = toc.querySelector("details"), wide = matchMedia("(min-width: 60rem)");

  function fit() {
    if (disclosure && wide.matches) disclosure.open = true;
  }

  if (wide.addEventListener) wide.addEventListener("change", fit);
  fit();
  var links = {};
  [].forEach.call(toc.querySelectorAll('a[href^="#"]'), function (link) {
    links[decodeURIComponent(link.hash.slice(1))] = link;
  });
  var headings = [].filter.call(
    document.querySelectorAll(".prose h2[id], .prose h3[id]"),
    function (heading) { return links[heading.id]; }
  );
  var current = null, queued = false;

  function mark(link) {
    if (link === current) return;
    if (current) current.removeAttribute("aria-current");
    current = link;
    if (!link) return;
    link.setAttribute("aria-current", "location");
  }

  // The reader is using the list: pointing at it (scrolling it with the wheel, about to
  // click) or moving through it with the keyboard. It then stays where they put it.
  function held() {
    if (toc.matches(":hover")) return true;
    try {
      return !!toc.querySelector(":focus-visible");
    } catch (unknownSelector) { // browsers before :focus-visible
      return false;
    }
  }

  function follow() {
    if (!current || held() || getComputedStyle(toc).position !== "sticky") return;
    // Scroll the list itself, never the page (scrollIntoView would move both).
    var box = toc.getBoundingClientRect(), at = current.getBoundingClientRect();
    if (at.top < box.top || at.bottom > box.bottom) {
      toc.scrollTop += at.top - box.top - box.height / 3;
    }
  }

  // The section being read: the last one whose heading has passed the upper third of the window.
  function update() {
    queued = false;
    var line = window.innerHeight / 3, reading = null;
    for (var i = 0; i < headings.length; i++) {
      if (headings[i].getBoundingClientRect().top > line) break;
      reading = headings[i];
    }
    mark(reading && links[reading.id]);
    follow();
  }

  function queue() {
    if (!queued) {
      queued = true;
      requestAnimationFrame(update);
    }
  }

  addEventListener("scroll", queue, { passive: true });
  addEventListener("resize", queue);
  update();
})();
