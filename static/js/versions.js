// The versions page and the listen page: the preview drawn with the server's peaks
// (wavesurfer.js over the page's own <audio>, which stays usable by keyboard and without JS),
// notes that seek when clicked, the note form's time filled from the player, copy buttons.
(function () {
  "use strict";

  function clock(seconds) {
    const whole = Math.max(0, Math.floor(seconds));
    const minutes = Math.floor(whole / 60);
    const rest = String(whole % 60).padStart(2, "0");
    return minutes + ":" + rest;
  }

  function setUpPlayer(player) {
    const audio = player.querySelector("[data-audio]");
    const holder = player.querySelector("[data-waveform]");
    const data = document.getElementById("version-peaks");
    if (!audio) return null;
    if (window.WaveSurfer && holder && data) {
      const drawn = JSON.parse(data.textContent);
      if (drawn && drawn.peaks && drawn.peaks[0].length) {
        const nonce = document.querySelector('meta[name="csp-nonce"]');
        window.WaveSurfer.create({
          container: holder,
          media: audio,
          peaks: drawn.peaks,
          duration: drawn.duration,
          height: 96,
          barWidth: 2,
          barGap: 1,
          waveColor: "#9aa5b1",
          progressColor: "#1f4e79",
          cursorColor: "#c0392b",
          dragToSeek: true,
          cspNonce: nonce ? nonce.content : undefined,
        });
      }
    }
    return audio;
  }

  // Delegated: htmx swaps the notes panel (a note added or resolved) and its new buttons and
  // form must work as the first ones did.
  function setUpNotes(audio) {
    let typed = false;
    function timeField() {
      const form = document.getElementById("note-form");
      return form ? form.querySelector("input.time") : null;
    }
    function showNow() {
      const now = document.querySelector("#note-form [data-now]");
      if (now && audio) now.hidden = false;
      const field = timeField();
      typed = Boolean(field && field.value !== "");
    }
    showNow();
    document.body.addEventListener("htmx:afterSwap", showNow);
    document.addEventListener("input", function (event) {
      if (event.target === timeField()) typed = event.target.value !== "";
    });
    document.addEventListener("click", function (event) {
      const seek = event.target.closest("[data-seek]");
      if (seek && audio) {
        audio.currentTime = parseFloat(seek.dataset.seek);
        audio.play();
        return;
      }
      const now = event.target.closest("[data-now]");
      const field = timeField();
      if (now && audio && field) {
        field.value = clock(audio.currentTime);
        typed = true;
        const body = document.querySelector("#note-form textarea");
        if (body) body.focus();
      }
    });
    if (!audio) return;
    // Where the listener paused is where the note most likely goes.
    audio.addEventListener("pause", function () {
      const field = timeField();
      if (field && !typed) field.value = clock(audio.currentTime);
    });
  }

  function setUpCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      const source = button.parentElement.querySelector("[data-copy-source]");
      if (!source || !navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.value).then(function () {
          button.textContent = "Copied";
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    const player = document.querySelector("[data-player]");
    const audio = player ? setUpPlayer(player) : null;
    setUpNotes(audio);
    setUpCopy();
  });
})();
