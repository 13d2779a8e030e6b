// The worker renders the PDFs the year's minutes book needs: ask every two seconds how far it is; once none
// is being rendered, download the book (when it was asked for) or show the page again. An answer that is not
// the progress (a session that ended, a server away) or a render taking longer than five minutes stops the
// asking and says so; the link under the bar still downloads the book as it is.
(function () {
  "use strict";
  var box = document.getElementById("book-progress");
  if (!box) return;
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-role=label]");
  var giveUpAt = Date.now() + 5 * 60 * 1000;
  function stop() {
    label.textContent = box.dataset.slowLabel;
    bar.removeAttribute("value");
    bar.hidden = true;
  }
  function look() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!r.ok || r.redirected || !json) throw new Error("no progress");
        return r.json();
      })
      .then(function (state) {
        label.textContent = state.label;
        bar.max = state.signed || 1;
        bar.value = state.done;
        if (!state.pending) {
          if (box.dataset.bookUrl) window.location.href = box.dataset.bookUrl;
          else window.location.reload();
        } else if (Date.now() < giveUpAt) {
          setTimeout(look, 2000);
        } else {
          stop();
        }
      })
      .catch(stop);
  }
  look();
})();
