// The warning before automatic logoff (anmian/web/sessionlimits.py). base.html renders the
// warning hidden, with the seconds the session has left; this shows it shortly before the end
// and its button posts to the keep-alive address. When the time is up the page reloads, so the
// server signs the session out and no one's records stay on an unattended screen. Without
// JavaScript the warning stays hidden and the server's limit works as before.
(function () {
  "use strict";
  var box = document.getElementById("logoff-warning");
  if (!box || !window.fetch) { return; }
  var KEY = "anmian-session-ends";  // shared by the tabs of one browser: the latest end wins
  var warnMs = Number(box.dataset.warnSeconds) * 1000;
  var ends = Date.now() + Number(box.dataset.secondsLeft) * 1000;
  var timer = null;

  function shared(value) {
    try {
      if (value) { localStorage.setItem(KEY, String(value)); }
      return Number(localStorage.getItem(KEY)) || 0;
    } catch (e) {  // storage turned off: this tab keeps its own count
      return 0;
    }
  }

  function schedule() {
    clearTimeout(timer);
    ends = Math.max(ends, shared());  // another tab's page or click keeps this session too
    var now = Date.now();
    if (now >= ends) {
      window.location.reload();
    } else if (now >= ends - warnMs) {
      show();
      timer = setTimeout(schedule, Math.min(ends - now, 1000));
    } else {
      box.hidden = true;
      timer = setTimeout(schedule, ends - warnMs - now);
    }
  }

  // Shown without taking the focus (someone may be typing a note); role="alert" has it read out.
  function show() {
    box.hidden = false;
  }

  function stay() {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(box.dataset.keepAlive, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" },
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (body) {
      ends = Date.now() + body.seconds_left * 1000;
      shared(ends);
      box.hidden = true;
      schedule();
    }).catch(function () {
      window.location.reload();  // signed out already: the page says so
    });
  }

  box.querySelector("button").addEventListener("click", stay);
  shared(ends);  // this page is the browser's latest word from the server on its session
  schedule();
})();
