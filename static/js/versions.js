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

  function setUpNotes(audio) {
    document.querySelectorAll("[data-seek]").forEach(function (button) {
      button.addEventListener("click", function () {
        if (!audio) return;
        audio.currentTime = parseFloat(button.dataset.seek);
        audio.play();
      });
    });
    const form = document.getElementById("note-form");
    if (!form || !audio) return;
    const field = form.querySelector("input.time");
    const now = form.querySelector("[data-now]");
    if (!field) return;
    let typed = field.value !== "";
    field.addEventListener("input", function () {
      typed = field.value !== "";
    });
    // Where the listener paused is where the note most likely goes.
    audio.addEventListener("pause", function () {
      if (!typed) field.value = clock(audio.currentTime);
    });
    if (now) {
      now.hidden = false;
      now.addEventListener("click", function () {
        field.value = clock(audio.currentTime);
        typed = true;
        const body = form.querySelector("textarea");
        if (body) body.focus();
      });
    }
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
