/* H5P activities in Malaka pages, played by h5p-standalone from this site's own files.

   In a lesson of a course the learner is enrolled in (the block gives data-activity-id), the
   player's xAPI statements go to the platform's LRS with the learner's session and CSRF token,
   about the lesson's canonical activity id, with the enrolment as registration, the course as
   parent and the lesson as grouping; the player's state is kept in the LRS's State resource
   (stateId "h5p-user-data") and given back to the player when the lesson is opened again. The
   server checks all of it again and decides what counts (content/h5p_tracking.py). */
(function () {
  "use strict";
  if (window.MalakaH5P) {
    return; // one copy per page, however many blocks include it
  }
  var XAPI_VERSION = "1.0.3";
  var STATE_ID = "h5p-user-data";
  var SAVE_SECONDS = 30;
  var SUB_CONTENT = "?subContentId=";
  var RESULT_VERBS = ["answered", "completed", "passed", "failed"];
  var players = {}; // activity id -> player element
  var listening = false;
  var queue = Promise.resolve();

  function say(el, text) {
    var status = el.parentNode.querySelector(".h5p-activity__status");
    if (status) {
      status.textContent = text || "";
    }
  }

  function csrfToken(el) {
    if (el.dataset.csrfToken) {
      return el.dataset.csrfToken;
    }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function writeHeaders(el) {
    return {
      "Content-Type": "application/json",
      "X-Experience-API-Version": XAPI_VERSION,
      "X-CSRFToken": csrfToken(el),
    };
  }

  function stateUrl(el) {
    var params = new URLSearchParams({
      activityId: el.dataset.activityId,
      // The LRS keeps the state of the signed-in learner, whoever is named here.
      agent: JSON.stringify({
        objectType: "Agent",
        account: { homePage: window.location.origin, name: "session" },
      }),
      stateId: STATE_ID,
      registration: el.dataset.registration,
    });
    return el.dataset.stateUrl + "?" + params.toString();
  }

  function loadState(el) {
    return fetch(stateUrl(el), {
      credentials: "same-origin",
      headers: { "X-Experience-API-Version": XAPI_VERSION },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (saved) {
        return saved && typeof saved.state === "string" ? saved.state : null;
      })
      .catch(function () {
        return null;
      });
  }

  function saveState(el, state, leaving) {
    return fetch(stateUrl(el), {
      method: "PUT",
      credentials: "same-origin",
      keepalive: Boolean(leaving),
      headers: writeHeaders(el),
      body: JSON.stringify({ state: state }),
    }).catch(function () {
      return null;
    });
  }

  function activity(id) {
    return { objectType: "Activity", id: id };
  }

  function subContent(id) {
    var at = (id || "").indexOf(SUB_CONTENT);
    return at >= 0 ? id.slice(at) : "";
  }

  /* The statement as the platform files it (the LRS sets the actor: the signed-in learner). */
  function canonical(el, statement) {
    var copy = JSON.parse(JSON.stringify(statement));
    var base = el.dataset.activityId;
    var sub = subContent(copy.object && copy.object.id);
    copy.object = copy.object || { objectType: "Activity" };
    copy.object.id = base + sub;
    delete copy.actor;
    var context = (copy.context = copy.context || {});
    context.registration = el.dataset.registration;
    var activities = (context.contextActivities = context.contextActivities || {});
    var course = activity(el.dataset.courseId);
    var lesson = activity(el.dataset.lessonId);
    if (!sub) {
      activities.parent = [course];
      activities.grouping = [lesson];
    } else {
      activities.parent = [].concat(activities.parent || []).map(function (parent) {
        return activity(base + subContent(parent && parent.id));
      });
      if (!activities.parent.length) {
        activities.parent = [activity(base)];
      }
      activities.grouping = [lesson, course];
    }
    return copy;
  }

  function isResult(el, statement) {
    var verb = ((statement.verb && statement.verb.id) || "").split("/").pop();
    return (
      statement.object.id === el.dataset.activityId &&
      RESULT_VERBS.indexOf(verb) >= 0 &&
      Boolean(statement.result && statement.result.score)
    );
  }

  function send(el, statement) {
    var result = isResult(el, statement);
    queue = queue.then(function () {
      return fetch(el.dataset.statementsUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: writeHeaders(el),
        body: JSON.stringify(statement),
      })
        .then(function (response) {
          if (result) {
            say(el, response.ok ? el.dataset.saved : el.dataset.notSaved);
          }
          if (!response.ok && window.console) {
            response.text().then(function (text) {
              window.console.warn("The LRS refused an H5P statement:", response.status, text);
            });
          }
        })
        .catch(function () {
          if (result) {
            say(el, el.dataset.notSaved);
          }
        });
    });
    return queue;
  }

  function onXAPI(event) {
    var statement = event && event.data && event.data.statement;
    var id = statement && statement.object && statement.object.id;
    if (!id) {
      return;
    }
    var el = players[id.split("?")[0]];
    if (el) {
      send(el, canonical(el, statement));
    }
  }

  function listen() {
    if (!listening && window.H5P && window.H5P.externalDispatcher) {
      listening = true;
      window.H5P.externalDispatcher.on("xAPI", onXAPI);
    }
  }

  /* H5P core saves the player's state with H5P.setUserData (every saveFreq seconds, after
     completed/progressed, and when the page is left) to an H5P server's AJAX URL, which this
     site does not have: the state goes to the LRS's State resource instead. The content runs
     in the player's iframe, so it is that window's H5P.setUserData that is wrapped. */
  function keepState(el, frame, contentId, loaded) {
    var last = loaded;
    function wrap() {
      var win = frame.contentWindow;
      var core = win && win.H5P;
      if (!core || typeof core.setUserData !== "function") {
        return false;
      }
      if (core.setUserData.malaka) {
        return true;
      }
      var original = core.setUserData;
      var wrapped = function (id, dataId, data, extras) {
        var answer = original.apply(this, arguments);
        if (String(id) === String(contentId) && dataId === "state" && !(extras && extras.subContentId)) {
          var json;
          try {
            json = JSON.stringify(data);
          } catch (error) {
            return answer;
          }
          if (json !== undefined && json !== last) {
            last = json;
            saveState(el, json, Boolean(extras && extras.async === false));
          }
        }
        return answer;
      };
      wrapped.malaka = true;
      core.setUserData = wrapped;
      return true;
    }
    if (wrap()) {
      return;
    }
    var tries = 0;
    var timer = window.setInterval(function () {
      tries += 1;
      if (wrap() || tries > 240) {
        window.clearInterval(timer);
      }
    }, 250);
  }

  function start(el) {
    var tracked = Boolean(el.dataset.activityId);
    var contentId = el.id;
    el.setAttribute("aria-busy", "true");
    say(el, el.dataset.loading);
    return (tracked ? loadState(el) : Promise.resolve(null))
      .then(function (state) {
        var options = {
          id: contentId,
          title: el.dataset.title,
          h5pJsonPath: el.dataset.h5pJsonPath,
          librariesPath: el.dataset.librariesPath,
          frameJs: el.dataset.frameJs,
          frameCss: el.dataset.frameCss,
          frame: false,
          copyright: false,
          export: false,
          embed: false,
          icon: false,
          fullScreen: false,
        };
        if (tracked) {
          options.xAPIObjectIRI = el.dataset.activityId; // H5P's statements name it
          options.saveFreq = SAVE_SECONDS;
          players[el.dataset.activityId] = el;
          if (state) {
            // H5P core reads contentUserData[subContentId][dataType], the state as JSON text.
            options.contentUserData = [{ state: state }];
          }
        }
        return new window.H5PStandalone.H5P(el, options).then(function () {
          listen();
          var frame = document.getElementById("h5p-iframe-" + contentId);
          if (frame) {
            frame.setAttribute("title", el.dataset.title);
            if (tracked) {
              keepState(el, frame, contentId, state);
            }
          }
          el.removeAttribute("aria-busy");
          say(el, "");
        });
      })
      .catch(function (error) {
        el.removeAttribute("aria-busy");
        say(el, el.dataset.failed);
        if (window.console) {
          window.console.error(error);
        }
      });
  }

  /* One after the other: h5p-standalone builds one global H5PIntegration per page. */
  function startAll() {
    var chain = Promise.resolve();
    document.querySelectorAll("[data-h5p-player]:not([data-h5p-started])").forEach(function (el) {
      el.setAttribute("data-h5p-started", "");
      chain = chain.then(function () {
        return start(el);
      });
    });
    return chain;
  }

  window.MalakaH5P = { start: startAll };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", startAll);
  } else {
    startAll();
  }
})();
