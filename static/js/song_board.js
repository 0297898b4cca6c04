// The song board: a card dragged to another column is moved there through the card's own
// form (its stage select set to the column's stage, then submitted, so htmx swaps the board
// as after a keyboard move). Without this script, or without a pointer, the select and the
// Move button do the same.
(function () {
  "use strict";

  function moveTo(card, stage) {
    const form = card.querySelector("form.song-move");
    if (!form) return;
    form.querySelector("select[name=stage]").value = stage;
    if (window.htmx) {
      window.htmx.trigger(form, "submit");
    } else {
      form.submit();
    }
  }

  function arm(root) {
    if (!window.Sortable) return;
    root.querySelectorAll(".song-cards[data-stage]").forEach(function (list) {
      if (!list.closest("[data-may-move]") || list.dataset.armed) return;
      list.dataset.armed = "1";
      window.Sortable.create(list, {
        group: "songs",
        sort: false,
        draggable: ".song-card",
        filter: "select, button, input, a",
        preventOnFilter: false,
        onEnd: function (event) {
          if (event.from === event.to) return;
          moveTo(event.item, event.to.dataset.stage);
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    arm(document);
  });
  // The swapped board is new markup: arm its lists (those already armed are skipped).
  document.addEventListener("htmx:afterSettle", function () {
    arm(document);
  });
})();
