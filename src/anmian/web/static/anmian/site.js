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
