// The worker renders the PDF in the background: look again every 3 seconds, reload when it is ready.
(function () {
  var box = document.getElementById("pdf-box");
  var timer = setInterval(function () {
    fetch(box.dataset.statusUrl, {credentials: "same-origin"}).then(function (r) { return r.text(); })
      .then(function (state) { if (state !== "pending") { clearInterval(timer); location.reload(); } });
  }, 3000);
})();
