// The release page's render button: start a render job through the API, then follow its
// progress (tracks done of total) until it ends, and reload to show the new files.
(function () {
  "use strict";
  const card = document.getElementById("render");
  if (!card) return;
  const release = card.dataset.release;
  const start = document.getElementById("render-start");
  const cancel = document.getElementById("render-cancel");
  const bar = document.getElementById("render-progress");
  const status = document.getElementById("render-status");
  const log = document.getElementById("render-log");
  let job = card.dataset.job || null;

  function csrf() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function call(url, method) {
    const response = await fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: method === "POST" ? "{}" : undefined,
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      const messages = Object.values(body).flat().join(" ");
      throw new Error(messages || response.statusText);
    }
    return body;
  }

  function show(data) {
    card.querySelector(".progress").hidden = false;
    bar.max = data.total || 1;
    bar.value = data.done || 0;
    status.textContent = data.status === "running" || data.status === "queued"
      ? `Rendering: ${data.done} of ${data.total} tracks`
      : `Render ${data.status}: ${data.done} of ${data.total} tracks`;
    log.replaceChildren(...data.log.slice(-8).map((entry) => {
      const item = document.createElement("li");
      item.textContent = entry.message;
      return item;
    }));
    const active = data.status === "queued" || data.status === "running";
    if (cancel) cancel.hidden = !active;
    if (start) start.disabled = active;
    return active;
  }

  async function follow() {
    try {
      const data = await call(`/api/v1/render-jobs/${job}/`, "GET");
      if (show(data)) {
        setTimeout(follow, 1000);
      } else {
        window.location.reload();
      }
    } catch (error) {
      status.textContent = error.message;
    }
  }

  if (start) {
    start.addEventListener("click", async () => {
      start.disabled = true;
      status.textContent = "Starting…";
      // The bar may still show the last render: a new one starts empty, 0 of its tracks.
      bar.value = 0;
      card.querySelector(".progress").hidden = false;
      try {
        const data = await call(`/api/v1/releases/${release}/render/`, "POST");
        job = data.id;
        if (show(data)) setTimeout(follow, 1000); else window.location.reload();
      } catch (error) {
        status.textContent = error.message;
        start.disabled = false;
      }
    });
  }
  if (cancel) {
    cancel.addEventListener("click", async () => {
      try {
        show(await call(`/api/v1/render-jobs/${job}/cancel/`, "POST"));
      } catch (error) {
        status.textContent = error.message;
      }
    });
  }
  if (job) follow();
})();

// Readiness links point at the field that fixes each finding (#field-upc, #track-3-isrc,
// #master-3, #field-cover): the field gets the focus, on load and on every hash change, so
// the keyboard is where the fix is. A card or fieldset target focuses its first control.
(function () {
  "use strict";
  const CONTROLS = "input:not([type=hidden]), select, textarea, button";

  function focusTarget() {
    const id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) return;
    const target = document.getElementById(id);
    if (!target) return;
    const details = target.closest("details");
    if (details) details.open = true;
    const control = target.matches(CONTROLS) ? target : target.querySelector(CONTROLS);
    if (!control) return;
    control.focus({ preventScroll: true });
    // Centred, not at the very top, so its label and the checklist's wording stay in view.
    (control.closest(".field") || control).scrollIntoView({ block: "center" });
  }

  window.addEventListener("hashchange", focusTarget);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusTarget);
  } else {
    focusTarget();
  }
})();

// An htmx swap replaces the form the keyboard was in: put the focus back, on the first field
// refused if any, or else on the button that sent it (found again by its words), or else on
// the form's first submit button. The part swapped is found again by the id it had.
(function () {
  "use strict";
  let sent = null;
  document.addEventListener("htmx:beforeRequest", (event) => {
    const active = document.activeElement;
    const target = event.detail.target;
    sent = {
      targetId: target && target.id,
      text: active && active.tagName === "BUTTON" ? active.textContent.trim() : "",
    };
  });
  document.addEventListener("htmx:afterSettle", () => {
    if (!sent || !sent.targetId) return;
    const part = document.getElementById(sent.targetId);
    const text = sent.text;
    sent = null;
    if (!part) return;
    const refused = part.querySelector('[aria-invalid="true"]');
    const again = refused
      || [...part.querySelectorAll("button")].find((b) => text && b.textContent.trim() === text)
      || part.querySelector("button[type=submit]");
    if (again) again.focus();
  });
})();
