// The daily chart's days (charts.py, _chart.html): one tab stop, the arrow keys, Home and
// End move between days (a roving tabindex). Each day is a button whose name is its
// figures, so a screen reader says them; CSS shows the same text as a tooltip on hover and
// focus. Without this script the days' table below the chart holds the same figures.
(function () {
  "use strict";
  document.querySelectorAll("[data-chart-days]").forEach(function (group) {
    var days = Array.prototype.slice.call(group.querySelectorAll("[data-chart-day]"));
    if (!days.length) return;

    function move(to) {
      var index = Math.max(0, Math.min(days.length - 1, to));
      group.removeAttribute("data-quiet");
      days.forEach(function (day, i) { day.tabIndex = i === index ? 0 : -1; });
      days[index].focus();
    }

    group.addEventListener("mouseover", function () { group.removeAttribute("data-quiet"); });
    group.addEventListener("keydown", function (event) {
      var at = days.indexOf(document.activeElement);
      if (at < 0) return;
      var steps = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, PageDown: 7, PageUp: -7 };
      if (event.key in steps) move(at + steps[event.key]);
      else if (event.key === "Home") move(0);
      else if (event.key === "End") move(days.length - 1);
      else if (event.key === "Escape") group.setAttribute("data-quiet", "");  // hide the tip
      else return;
      event.preventDefault();
    });
  });
})();
