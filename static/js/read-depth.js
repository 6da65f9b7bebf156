/* Read depth and engaged time: how far into the article this visit got, and for how long
   it was visible and in use; sent each time the page is hidden or left, if it grew.
   No cookie, no storage; nothing at all when the browser asks not to be tracked. */
(function () {
  var me = document.currentScript, nav = navigator, doc = document;
  if (!me || !nav.sendBeacon || !window.IntersectionObserver) return;
  if (nav.globalPrivacyControl === true || nav.doNotTrack == "1") return;
  var token = me.dataset.token, url = me.dataset.endpoint, last = "";
  var deepest = 0, done = false, sections = [];
  // Engaged: visible, and a scroll, key, pointer or touch within the last 30 s (arriving
  // counts as one); at most 30 min. `from`: where the stretch being counted began.
  var IDLE = 30000, CAP = 1800, engaged = 0, from = null, active = 0;

  function now() { return performance.now(); }
  function settle(t) {
    if (from === null) return;
    engaged += Math.max(0, Math.min(t, active + IDLE) - from);
    from = t;
  }
  function use() {
    var t = now();
    settle(t);
    active = t;
    if (doc.visibilityState === "visible") from = t;
  }

  function start() {
    sections = [].slice.call(doc.querySelectorAll(".prose > section"));
    var end = doc.querySelector(".article__footer");
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
    settle(now());
    from = null;
    var d = done ? sections.length : deepest;
    var body = new URLSearchParams({
      t: token, d: d, e: done ? 1 : 0, s: Math.min(CAP, Math.ceil(engaged / 1000))
    });
    if (!token || String(body) === last) return;
    last = String(body);
    nav.sendBeacon(url, body);
  }

  use();
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start);
  else start();
  ["scroll", "keydown", "pointerdown", "pointermove", "touchstart", "wheel"].forEach(
    function (name) { addEventListener(name, use, { passive: true, capture: true }); }
  );
  doc.addEventListener("visibilitychange", function () {
    if (doc.visibilityState === "hidden") send();
    else use();
  });
  addEventListener("pagehide", send);
})();
