/* The session sheet: small helps for the take log (the forms work without this file).
 *
 * A take's number is filled in as the next one for the song shown; picking or naming another
 * song empties it, so the server numbers that song's next take. */
(function () {
  "use strict";
  function changed(form) {
    const song = form.elements.namedItem("song");
    const name = form.elements.namedItem("song_name");
    const number = form.elements.namedItem("number");
    if (!(song instanceof HTMLSelectElement) || !(name instanceof HTMLInputElement) || !number) return;
    const pickedDefault = Array.from(song.options).every((option) => option.selected === option.defaultSelected);
    const same = pickedDefault && name.value === name.defaultValue;
    number.value = same ? number.defaultValue : "";
    number.placeholder = "next";
  }
  function onEdit(event) {
    const field = event.target;
    if (!(field instanceof HTMLInputElement || field instanceof HTMLSelectElement)) return;
    if (field.name !== "song" && field.name !== "song_name") return;
    if (!field.form || field.form.id !== "take-form") return;
    changed(field.form);
  }
  document.addEventListener("input", onEdit);
  document.addEventListener("change", onEdit);
})();
