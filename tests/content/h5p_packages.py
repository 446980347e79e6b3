"""A minimal runnable H5P package written by the tests themselves (no third-party content):
the library ``H5P.MalakaCheck 1.0`` shows a question and a labelled button; a click reports
the answer (score 1 of 1) as ``answered`` and ``completed``, and the player's state remembers
it. Used by the player tests and the browser test."""

from __future__ import annotations

import io
import json
import zipfile

LIBRARY_FOLDER = "H5P.MalakaCheck-1.0"

LIBRARY_JSON = {
    "title": "Malaka check",
    "machineName": "H5P.MalakaCheck",
    "majorVersion": 1,
    "minorVersion": 0,
    "patchVersion": 0,
    "runnable": 1,
    "embedTypes": ["iframe"],
    "preloadedJs": [{"path": "check.js"}],
    "preloadedCss": [{"path": "check.css"}],
}

CHECK_JS = """
var H5P = H5P || {};
H5P.MalakaCheck = (function () {
  function MalakaCheck(params, contentId, extras) {
    H5P.EventDispatcher.call(this);
    this.params = params;
    this.contentId = contentId;
    var previous = extras && extras.previousState;
    this.answered = Boolean(previous && previous.answered);
  }
  MalakaCheck.prototype = Object.create(H5P.EventDispatcher.prototype);
  MalakaCheck.prototype.constructor = MalakaCheck;
  MalakaCheck.prototype.attach = function ($container) {
    var self = this;
    var root = $container.get(0);
    root.classList.add("h5p-malaka-check");
    var question = document.createElement("p");
    question.id = "malaka-check-question";
    question.textContent = this.params.question;
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = this.params.button;
    button.setAttribute("aria-describedby", question.id);
    var status = document.createElement("p");
    status.setAttribute("role", "status");
    status.textContent = this.answered ? this.params.done : "";
    button.addEventListener("click", function () {
      self.answered = true;
      status.textContent = self.params.done;
      self.triggerXAPIScored(1, 1, "answered", true, true);
      self.triggerXAPIScored(1, 1, "completed", true, true);
    });
    root.appendChild(question);
    root.appendChild(button);
    root.appendChild(status);
  };
  MalakaCheck.prototype.getCurrentState = function () {
    return { answered: this.answered };
  };
  return MalakaCheck;
})();
"""

CHECK_CSS = ".h5p-malaka-check { padding: 1rem; font: 1rem/1.5 sans-serif; }\n"

CONTENT = {
    "question": "Is a home visit planned with the family?",
    "button": "Check my answer",
    "done": "Answered.",
}


def h5p_json(title: str = "Malaka check: one question") -> dict:
    return {
        "title": title,
        "language": "en",
        "mainLibrary": "H5P.MalakaCheck",
        "embedTypes": ["iframe"],
        "license": "U",
        "preloadedDependencies": [
            {"machineName": "H5P.MalakaCheck", "majorVersion": 1, "minorVersion": 0}
        ],
    }


def check_package(title: str = "Malaka check: one question", **extra: bytes | str) -> bytes:
    """The .h5p file (bytes) of the check activity; `extra` adds files by name."""
    entries: dict[str, bytes | str] = {
        "h5p.json": json.dumps(h5p_json(title)),
        "content/content.json": json.dumps(CONTENT),
        "content/images/family.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
        f"{LIBRARY_FOLDER}/library.json": json.dumps(LIBRARY_JSON),
        f"{LIBRARY_FOLDER}/check.js": CHECK_JS,
        f"{LIBRARY_FOLDER}/check.css": CHECK_CSS,
        **extra,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()
