// The dashboard's period chooser shows only the fields of the chosen period: one month for a month, a quarter or
// a year (the month says which), the first and the last month for "Months from … to …". The server renders the
// first state; this keeps it right when the choice changes.
(function () {
  "use strict";
  var form = document.getElementById("period-form");
  if (!form) { return; }
  var select = form.querySelector("select[name=period]");
  function show() {
    form.querySelectorAll("[data-periods]").forEach(function (field) {
      field.hidden = field.getAttribute("data-periods").split(" ").indexOf(select.value) === -1;
    });
  }
  select.addEventListener("change", show);
  show();
})();
