// Small progressive enhancements; every page works without this file.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});

// The results' sections fold (<details class="fold">) so a phone shows the summary first; on a
// wide screen there is room, so they start open. Without this file they start folded.
document.addEventListener("DOMContentLoaded", function () {
  if (window.matchMedia("(min-width: 60rem)").matches) {
    document.querySelectorAll("details.fold").forEach(function (d) { d.open = true; });
  }
});
// A printed handout has every section open.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details.fold").forEach(function (d) { d.open = true; });
});

// The header's menu and language switch (<details>, they open without this file): one open at a
// time, and a tap elsewhere or Escape closes them, as a person expects of a menu.
(function () {
  var panels = "header.site details.menu, header.site details.lang-quick";
  function closeAll(except) {
    document.querySelectorAll(panels).forEach(function (d) { if (d !== except) d.open = false; });
  }
  document.addEventListener("toggle", function (event) {
    if (event.target.matches && event.target.matches(panels) && event.target.open) closeAll(event.target);
  }, true);
  document.addEventListener("click", function (event) {
    if (!event.target.closest(panels)) closeAll(null);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeAll(null);
  });
})();
