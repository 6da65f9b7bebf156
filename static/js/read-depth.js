/* Read depth: how far into the article this visit got, sent once when the page is left.
   No cookie, no storage; nothing at all when the browser asks not to be tracked. */
(function () {
  var me = document.currentScript, nav = navigator;
  if (!me || !nav.sendBeacon || !window.IntersectionObserver) return;
  if (nav.globalPrivacyControl === true || nav.doNotTrack == "1") return;
  var token = me.dataset.token, url = me.dataset.endpoint, sent = false;
  var deepest = 0, done = false, sections = [];

  function start() {
    sections = [].slice.call(document.querySelectorAll(".prose > section"));
    var end = document.querySelector(".article__footer");
    // A section counts once its start is in the upper two thirds of the window.
    var reach = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (!e.isIntersecting) return;
        deepest = Math.max(deepest, sections.indexOf(e.target) + 1);
        reach.unobserve(e.target);
      });
    }, { rootMargin: "0px 0px -35% 0px" });
    sections.forEach(function (s) { reach.observe(s); });
    if (end) {
      var finish = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) {
          done = true;
          finish.disconnect();
        }
      });
      finish.observe(end);
    }
  }

  function send() {
    if (sent || !token) return;
    sent = true;
    var d = done ? sections.length : deepest;
    nav.sendBeacon(url, new URLSearchParams({ t: token, d: d, e: done ? 1 : 0 }));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") send();
  });
  window.addEventListener("pagehide", send);
})();
