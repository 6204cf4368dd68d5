// Search over every issue of the archive. The index is a JSON data block in
// search.html (so it also works from file://); results are built with
// textContent only, never as HTML.
"use strict";
(function () {
  var block = document.getElementById("search-index");
  var input = document.getElementById("q");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (!block || !input || !list || !status) return;
  var data = JSON.parse(block.textContent);
  var fold = function (s) {
    return s.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  };
  var docs = data.docs.map(function (d) {
    return { d: d, title: fold(d[1]), all: fold(d[1] + " " + d[3] + " " + d[4]) };
  });
  function show(query) {
    var terms = fold(query).split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!terms.length) { status.textContent = ""; return; }
    var hits = docs.filter(function (doc) {
      return terms.every(function (t) { return doc.all.indexOf(t) !== -1; });
    }).map(function (doc) {
      var score = terms.filter(function (t) { return doc.title.indexOf(t) !== -1; }).length;
      return { doc: doc.d, score: score };
    }).sort(function (a, b) { return b.score - a.score || a.doc[0] - b.doc[0]; });
    status.textContent = hits.length === 1 ? "1 result" : hits.length + " results";
    hits.slice(0, 100).forEach(function (hit) {
      var d = hit.doc, issue = data.issues[d[0]];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = d[2];
      a.textContent = d[1];
      var meta = document.createElement("p");
      meta.className = "search-results__issue";
      meta.textContent = issue[1] + " · " + issue[2] + (d[4] ? " · " + d[4] : "");
      li.appendChild(a);
      li.appendChild(meta);
      if (d[3]) {
        var text = document.createElement("p");
        text.textContent = d[3].length > 220 ? d[3].slice(0, 219) + "…" : d[3];
        li.appendChild(text);
      }
      list.appendChild(li);
    });
  }
  input.addEventListener("input", function () { show(input.value); });
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { input.value = q; show(q); }
})();
