// The worker renders the PDFs the year's minutes book needs: ask every two seconds how far it is; once none
// is being rendered, download the book (when it was asked for) or show the page again.
(function () {
  "use strict";
  var box = document.getElementById("book-progress");
  if (!box) return;
  var bar = box.querySelector("progress");
  var label = box.querySelector("[data-role=label]");
  function look() {
    fetch(box.dataset.progressUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (state) {
        label.textContent = state.label;
        bar.max = state.signed || 1;
        bar.value = state.done;
        if (state.pending) {
          setTimeout(look, 2000);
        } else if (box.dataset.bookUrl) {
          window.location.href = box.dataset.bookUrl;
        } else {
          window.location.reload();
        }
      });
  }
  look();
})();
