// "Right now" on the statistics dashboard: fetch the panel's figures every 30 s and
// write them in as text (never as HTML: titles and sources came from outside).
(function () {
  "use strict";
  var panel = document.querySelector("[data-live-url]");
  if (!panel || !window.fetch) return;
  var url = panel.getAttribute("data-live-url");

  function slot(name) { return panel.querySelector('[data-live="' + name + '"]'); }

  function item(text, figure, href) {
    var li = document.createElement("li");
    var label = document.createElement(href ? "a" : "span");
    if (href) label.href = href;
    label.textContent = text;
    var note = document.createElement("span");
    note.className = "stats-note";
    note.textContent = grouped(figure);
    li.append(label, " ", note);
    return li;
  }

  // Thousands grouped as the server's intcomma does ("1,234").
  function grouped(figure) {
    return Number(figure).toLocaleString("en-GB");
  }

  function fill(list, items, empty) {
    if (!list) return;
    list.replaceChildren.apply(list, items.length ? items : [empty]);
  }

  function quiet(text) {
    var li = document.createElement("li");
    li.className = "stats-note";
    li.textContent = text;
    return li;
  }

  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(function (data) {
        slot("readers_5").textContent = grouped(data.readers_5);
        slot("readers_30").textContent = grouped(data.readers_30);
        fill(slot("articles"), data.articles.map(function (a) { return item(a.title, a.readers_30, a.url); }),
          quiet("Nobody is reading just now."));
        if (data.sources) {
          fill(slot("sources"), data.sources.map(function (s) { return item(s.source, s.views); }),
            quiet("No views just now."));
        }
        panel.setAttribute("data-refreshed", new Date().toISOString());
      })
      .catch(function () { /* keep the last figures; the next round tries again */ });
  }

  window.setInterval(function () { if (!document.hidden) refresh(); }, 30000);
})();
