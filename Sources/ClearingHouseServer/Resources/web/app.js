// Optional help for the search page: completes the query box from /suggest as one types
// (through the box's <datalist>). The page works the same without it.
(function () {
  "use strict";
  var box = document.querySelector("input[data-suggest]");
  var list = document.getElementById("q-suggestions");
  if (!box || !list || !window.fetch) { return; }
  var timer = null;
  var latest = 0;
  box.addEventListener("input", function () {
    clearTimeout(timer);
    var text = box.value;
    if (text.trim().length < 2) { list.textContent = ""; return; }
    timer = setTimeout(function () {
      var ticket = ++latest;
      var url = box.getAttribute("data-suggest") + "?q=" + encodeURIComponent(text) + "&lang=" + encodeURIComponent(box.getAttribute("data-lang") || "en");
      fetch(url, { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (answer) {
          if (!answer || ticket !== latest) { return; }
          list.textContent = "";
          var seen = {};
          (answer.completions || []).forEach(function (completion) {
            if (seen[completion.text]) { return; }
            seen[completion.text] = true;
            var option = document.createElement("option");
            option.value = completion.text;
            list.appendChild(option);
          });
        })
        .catch(function () { /* completion is optional */ });
    }, 150);
  });
}());
// The help desk's answer (what was stored, the offers that match) takes the focus when the
// page opens, so that a screen reader reads it and a phone shows it.
(function () {
  "use strict";
  var answer = document.querySelector("[data-focus]");
  if (answer) { answer.focus(); }
})();
