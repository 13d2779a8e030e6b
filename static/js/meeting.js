// Replies arrive while the secretary watches: reload the panel every 15 seconds.
(function () {
  var panel = document.getElementById("replies");
  if (!panel || !panel.dataset.refresh) return;
  setInterval(function () {
    fetch(panel.dataset.refresh, {credentials: "same-origin"}).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) panel.innerHTML = html; });
  }, 15000);
})();
