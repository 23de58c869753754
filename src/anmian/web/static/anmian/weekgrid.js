// The staff week on a narrow screen: the grid scrolls sideways inside its own box, so open it
// at today's column rather than at Monday's. Without JavaScript it opens at Monday.
document.addEventListener("DOMContentLoaded", () => {
  const box = document.querySelector(".weekgrid-scroll");
  const today = box && box.querySelector("thead th.today");
  if (!today || box.scrollWidth <= box.clientWidth) return;
  const times = box.querySelector("tbody th");
  box.scrollLeft = today.offsetLeft - (times ? times.offsetWidth : 0);
});
