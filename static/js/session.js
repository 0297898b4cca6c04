/* The session sheet: small helps for the take log (the forms work without this file).
 *
 * A take's number is filled in as the next one for the song shown; typing another song
 * empties it, so the server numbers that song's next take. */
(function () {
  "use strict";
  document.addEventListener("input", (event) => {
    const song = event.target;
    if (!(song instanceof HTMLInputElement) || song.name !== "song" || !song.form || song.form.id !== "take-form") return;
    const number = song.form.elements.namedItem("number");
    if (!number) return;
    number.value = song.value === song.defaultValue ? number.defaultValue : "";
    number.placeholder = "next";
  });
})();
