// The receipt drop zone of the cost forms: a file dropped on the zone fills its file input,
// so the form sends it as if picked. Without this script the plain file input works alone.
(function () {
  "use strict";
  document.querySelectorAll("[data-drop-zone]").forEach((zone) => {
    const input = zone.querySelector("input[type=file]");
    const hint = zone.querySelector(".drop-hint");
    const name = zone.querySelector(".drop-name");
    if (!input) return;
    if (hint) hint.hidden = false;

    function show() {
      const file = input.files && input.files[0];
      if (name) name.textContent = file ? `Receipt to upload: ${file.name}` : "";
      zone.classList.toggle("has-file", Boolean(file));
    }

    ["dragenter", "dragover"].forEach((type) => {
      zone.addEventListener(type, (event) => {
        event.preventDefault();
        zone.classList.add("dragging");
      });
    });
    ["dragleave", "dragend"].forEach((type) => {
      zone.addEventListener(type, () => zone.classList.remove("dragging"));
    });
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("dragging");
      const files = event.dataTransfer && event.dataTransfer.files;
      if (!files || !files.length) return;
      // One receipt per cost: the first file dropped.
      const chosen = new DataTransfer();
      chosen.items.add(files[0]);
      input.files = chosen.files;
      show();
    });
    input.addEventListener("change", show);
  });
})();
