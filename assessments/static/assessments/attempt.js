// Attempts: answers are saved as the learner goes (a dropped connection loses nothing: what
// was not saved stays on the page and is sent with the next save or the submission), and
// the countdown of a timed test. The server holds the deadline; this only shows it.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) return;
  var status = document.getElementById("attempt-status");
  var timer = document.getElementById("attempt-timer");
  var saveUrl = form.dataset.saveUrl;
  var dirty = false;
  var saving = false;
  var submitting = false;
  var pending = null;

  function say(text) {
    if (status) status.textContent = text;
  }

  function save() {
    if (saving || submitting) {
      dirty = true;
      return;
    }
    saving = true;
    dirty = false;
    var data = new FormData(form);
    fetch(saveUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { status: response.status, body: body };
        });
      })
      .then(function (result) {
        saving = false;
        form.querySelectorAll("[data-save-error]").forEach(function (el) {
          el.remove();
        });
        if (result.status === 409) {
          say(result.body.error || form.dataset.msgClosed);
          submitNow();
          return;
        }
        var errors = result.body.errors || {};
        Object.keys(errors).forEach(function (name) {
          var box = document.getElementById(name + "-box");
          if (!box) return;
          var p = document.createElement("p");
          p.className = "field-error";
          p.id = name + "-error";
          p.setAttribute("data-save-error", "");
          p.textContent = errors[name];
          box.insertBefore(p, box.querySelector(".question__text").nextSibling);
          box.setAttribute("aria-describedby", name + "-text " + name + "-error");
        });
        say(
          Object.keys(errors).length
            ? form.dataset.msgRefused
            : form.dataset.msgSaved + " " + result.body.saved_at
        );
        if (dirty) schedule();
      })
      .catch(function () {
        saving = false;
        dirty = true;
        say(form.dataset.msgUnsaved);
        pending = setTimeout(save, 10000);
      });
  }

  function schedule() {
    dirty = true;
    clearTimeout(pending);
    pending = setTimeout(save, 800);
  }

  function submitNow() {
    if (submitting) return;
    submitting = true;
    form.submit();
  }

  form.addEventListener("change", schedule);
  form.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA" || event.target.type === "text") schedule();
  });
  form.addEventListener("submit", function () {
    submitting = true;
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  if (timer && form.dataset.timeLeft) {
    var deadline = Date.now() + parseInt(form.dataset.timeLeft, 10) * 1000;
    var announced = {};
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("role", "alert");
    form.appendChild(live);
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      timer.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left <= 300 && left > 60 && !announced[5]) {
        announced[5] = true;
        live.textContent = form.dataset.msgFiveMinutes;
      }
      if (left <= 60 && !announced[1]) {
        announced[1] = true;
        live.textContent = form.dataset.msgOneMinute;
      }
      if (left === 0) {
        say(form.dataset.msgClosed);
        submitNow();
        return;
      }
      setTimeout(tick, 1000);
    };
    tick();
  }
})();
