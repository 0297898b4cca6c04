/* The studio calendar: FullCalendar fed by /calendar/events/, writes through our endpoints.
 *
 * FullCalendar runs in "UTC" and is given the studio's wall-clock times without an offset, so
 * what shows is the studio's clock whatever the browser's zone. Times sent back are wall-clock
 * too, with the zone the page shows them in (the person view shows one zone for all rooms). */
(function () {
  "use strict";
  const el = document.getElementById("calendar");
  if (!el) return;
  const data = el.dataset;
  const details = document.getElementById("details");
  const dialog = document.getElementById("create-dialog");
  const form = document.getElementById("create-form");
  const confirmDialog = document.getElementById("confirm-dialog");

  function csrf() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // Ask before a destructive or costly step, saying what it does; resolves true on "yes" only
  // (Escape, the "no" button and closing the dialog all keep things as they are).
  function ask(title, text, yes, no) {
    document.getElementById("confirm-title").textContent = title;
    document.getElementById("confirm-text").textContent = text;
    document.getElementById("confirm-yes").textContent = yes;
    const keep = document.getElementById("confirm-no");
    keep.textContent = no;
    confirmDialog.returnValue = "";
    confirmDialog.showModal();
    keep.focus();
    return new Promise((resolve) => {
      confirmDialog.addEventListener("close", () => resolve(confirmDialog.returnValue === "yes"), { once: true });
    });
  }

  async function send(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let payload = {};
    try { payload = await response.json(); } catch (e) { /* an empty answer */ }
    return { ok: response.ok, status: response.status, payload };
  }

  function message(payload) {
    if (payload.detail) return payload.detail;
    const errors = payload.errors || payload;
    return Object.entries(errors)
      .map(([field, list]) => (field === "__all__" ? "" : field + ": ") + [].concat(list).join(" "))
      .join(" ");
  }

  function wall(date) {  // a Date in FullCalendar's UTC coordinates -> "YYYY-MM-DDTHH:MM:SS"
    return date.toISOString().slice(0, 19);
  }

  // A link to one booking (the project hub's) names its day and the booking:
  // /calendar/?room=3&date=2026-12-10#booking-42 opens that week with the booking's details.
  const askedDate = new URLSearchParams(window.location.search).get("date");
  let askedBooking = (window.location.hash.match(/^#booking-(\d+)$/) || [])[1];

  const calendar = new FullCalendar.Calendar(el, {
    timeZone: "UTC",
    initialView: window.innerWidth < 720 ? "listWeek" : "timeGridWeek",
    initialDate: /^\d{4}-\d{2}-\d{2}$/.test(askedDate || "") ? askedDate : undefined,
    headerToolbar: window.innerWidth < 720
      ? { left: "prev,next", center: "title", right: "listWeek,timeGridDay" }
      : { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,timeGridDay,listWeek" },
    // The month grid's columns are weekdays, not dates (a date there names the first row's
    // day, which in "UTC" mode reads "Mon Jan 5 … Sun Jan 4"); the week and day grids name
    // the date of each column.
    views: {
      dayGridMonth: { dayHeaderFormat: { weekday: "short" } },
      timeGrid: { dayHeaderFormat: { weekday: "short", day: "numeric", month: "short", omitCommas: true } },
    },
    // Text arrows, not FullCalendar's icon font: the font comes as a data: URL, which the
    // Content-Security-Policy does not load, and the buttons showed empty boxes.
    buttonIcons: false,
    buttonHints: { prev: "Previous $0", next: "Next $0", today: "Go to today" },
    buttonText: { prev: "‹", next: "›", today: "Today", month: "Month", week: "Week", day: "Day", list: "List" },
    firstDay: 1,
    nowIndicator: false,
    slotMinTime: "07:00:00",
    scrollTime: "09:00:00",
    height: "auto",
    expandRows: true,
    selectable: data.canCreate === "1",
    selectMirror: true,
    // A press on an event never starts a selection (FullCalendar keeps selecting to empty
    // slots); a drag of it is a move, and a confirmed booking's move is asked about first.
    // Events take focus and open their details with Enter, for the keyboard.
    eventInteractive: true,
    eventDragMinDistance: 8,
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    events: { url: data.eventsUrl, extraParams: { [data.kind]: data.target } },
    // Busy while the bookings load, for screen readers (and for tests to wait on).
    loading: (busy) => el.setAttribute("aria-busy", busy ? "true" : "false"),
    datesSet: () => tidy(),
    dayCellDidMount: (arg) => {
      // FullCalendar names a month cell by its day number only, so a cell holding bookings
      // has a name that leaves out what it shows; its text is the better name.
      arg.el.removeAttribute("aria-labelledby");
    },
    eventClick: (info) => showDetails(info.event),
    eventsSet: () => {
      // Once, when the asked booking has loaded: show it as a click would.
      const asked = askedBooking && calendar.getEventById(askedBooking);
      if (asked) {
        askedBooking = null;
        showDetails(asked);
      }
    },
    select: (info) => openCreate(info),
    eventDrop: (info) => move(info),
    eventResize: (info) => move(info),
  });
  calendar.render();
  tidy();

  function tidy() {
    // FullCalendar puts its hint ("Previous month") only in a text button's title; the
    // arrows' names are "‹" and "›" without it. The hint follows the view, so on every change.
    for (const button of el.querySelectorAll(".fc-prev-button, .fc-next-button")) {
      if (button.title) button.setAttribute("aria-label", button.title);
    }
    for (const icon of el.querySelectorAll(".fc-icon")) {
      icon.setAttribute("aria-hidden", "true");
      icon.removeAttribute("role");
    }
  }

  async function move(info) {
    const url = data.moveUrl.replace("/0/", "/" + info.event.id + "/");
    const body = { start: wall(info.event.start), end: wall(info.event.end), zone: data.zone };
    let result = await send(url, body);
    if (result.status === 409 && result.payload.confirm) {
      // A confirmed booking: the server checked and priced the move and kept nothing.
      const yes = await ask("Move the confirmed booking?", result.payload.confirm, "Move it", "Keep it where it was");
      if (!yes) {
        info.revert();
        return;
      }
      result = await send(url, { ...body, confirm: true });
    }
    if (!result.ok) {
      info.revert();
      // Show the booking where it stays, with what it would have collided with.
      showDetails(info.oldEvent || info.event, message(result.payload));
      return;
    }
    calendar.refetchEvents();
  }

  function clearErrors() {
    document.getElementById("create-error").textContent = "";
    for (const line of form.querySelectorAll("[data-error-for]")) line.textContent = "";
  }

  // One form for both ways in: a selection on the calendar fills its times, the New booking
  // button opens it on tomorrow's usual day. Both post to the same endpoint.
  function openCreate(info) {
    clearErrors();
    form.elements.start.value = info ? wall(info.start).slice(0, 16) : form.dataset.defaultStart;
    form.elements.end.value = info ? wall(info.end).slice(0, 16) : form.dataset.defaultEnd;
    dialog.showModal();
    form.elements.room.focus();
  }

  const newBooking = document.getElementById("new-booking");
  if (newBooking) newBooking.addEventListener("click", () => openCreate(null));

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const fields = new FormData(form);
    const result = await send(data.createUrl, {
      project: fields.get("project"),
      room: fields.get("room"),
      title: fields.get("title"),
      status: fields.get("status"),
      engineer: fields.get("engineer"),
      past: fields.get("past") === "on",
      start: fields.get("start"),
      end: fields.get("end"),
      zone: data.zone,
    });
    if (!result.ok) {
      // Each refusal beside its field; the rest (a collision) under the form.
      const rest = {};
      for (const [field, list] of Object.entries(result.payload.errors || {})) {
        const line = form.querySelector('[data-error-for="' + field + '"]');
        if (line) line.textContent = [].concat(list).join(" ");
        else rest[field] = list;
      }
      document.getElementById("create-error").textContent =
        result.payload.errors ? message({ errors: rest }) : message(result.payload);
      return;
    }
    dialog.close();
    form.reset();
    calendar.unselect();
    calendar.refetchEvents();
  });
  document.getElementById("create-cancel").addEventListener("click", () => { dialog.close(); calendar.unselect(); });

  const ACTIONS = {
    hold_1: [["confirm", "Confirm"], ["release", "Release hold"]],
    hold_2: [["confirm", "Confirm"], ["challenge", "Challenge 1st hold"], ["release", "Release hold"]],
    confirmed: [["cancel", "Cancel booking"]],
    cancelled: [],
  };

  function showDetails(event, error) {
    const p = event.extendedProps;
    details.hidden = false;
    document.getElementById("details-title").textContent = event.title;
    const rows = [
      ["Status", p.statusLabel],
      ["When", wall(event.start).replace("T", " ").slice(0, 16) + " – " + wall(event.end).slice(11, 16)],
      ["Project", p.project],
      ["Room", p.room],
      ["Engineer", p.engineer],
      ["Quote", p.quote],
      ["Hold expires", p.expires],
      ["Cancellation fee", p.fee],
      ["Notes", p.notes],
    ];
    const list = details.querySelector("dl");
    list.replaceChildren();
    for (const [label, value] of rows) {
      if (!value) continue;
      const dt = document.createElement("dt");
      dt.textContent = label;
      const dd = document.createElement("dd");
      dd.textContent = value;
      list.append(dt, dd);
    }
    document.getElementById("details-error").textContent = error || "";
    details.focus();
    const actions = document.getElementById("details-actions");
    actions.replaceChildren();
    sessionLink(event, actions);
    if (!p.mayChange) return;
    for (const [verb, label] of ACTIONS[p.status] || []) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      if (verb === "cancel" || verb === "release") button.className = "danger";
      button.addEventListener("click", async () => {
        if (verb === "cancel" || verb === "release") {
          await cancel(event);
          return;
        }
        const result = await send(data.apiUrl + event.id + "/" + verb + "/");
        if (!result.ok) {
          document.getElementById("details-error").textContent = message(result.payload);
          return;
        }
        calendar.refetchEvents();
        details.hidden = true;
      });
      actions.append(button);
    }
  }

  // The booking's session: "Open session" when it has one, "Start session" (a plain form
  // post, which opens the new session) when it has none and the role runs sessions.
  async function sessionLink(event, actions) {
    details.dataset.booking = event.id;
    let answer;
    try {
      const response = await fetch(data.sessionUrl.replace("/0/", "/" + event.id + "/"), { credentials: "same-origin" });
      if (!response.ok) return;
      answer = await response.json();
    } catch (e) { return; }
    if (details.dataset.booking !== String(event.id)) return;  // another booking opened since
    if (answer.session) {
      const link = document.createElement("a");
      link.className = "button secondary";
      link.href = answer.session;
      link.textContent = "Open session";
      actions.prepend(link);
    } else if (answer.start) {
      const start = document.createElement("form");
      start.method = "post";
      start.action = answer.start;
      const token = document.createElement("input");
      token.type = "hidden";
      token.name = "csrfmiddlewaretoken";
      token.value = csrf();
      const button = document.createElement("button");
      button.type = "submit";
      button.textContent = "Start session";
      start.append(token, button);
      actions.prepend(start);
    }
  }

  // Cancel or release: the fee comes from the server's own rule, is shown, and is taken only
  // after a yes; the fee sent back is the one shown, so a fee that has changed since is
  // refused instead of taken.
  async function cancel(event) {
    const url = data.cancelUrl.replace("/0/", "/" + event.id + "/");
    const errorLine = document.getElementById("details-error");
    const response = await fetch(url, { credentials: "same-origin" });
    const terms = await response.json();
    if (!response.ok) {
      errorLine.textContent = message(terms);
      return;
    }
    const yes = await ask(
      terms.hold ? "Release this hold?" : "Cancel this booking?",
      terms.summary,
      terms.summary.split(" (")[0],
      terms.hold ? "Keep the hold" : "Keep the booking",
    );
    if (!yes) return;
    const result = await send(url, { fee: terms.fee });
    if (!result.ok) {
      errorLine.textContent = message(result.payload);
      return;
    }
    calendar.refetchEvents();
    details.hidden = true;
  }

  for (const picker of document.querySelectorAll("[data-picker]")) {
    picker.addEventListener("change", () => {
      if (picker.value) window.location.search = "?" + picker.name + "=" + picker.value;
    });
  }

  const feedButton = document.getElementById("feed-create");
  feedButton.addEventListener("click", async () => {
    // A new address replaces the old one (which stops working); the first one is made.
    const result = feedButton.dataset.feed
      ? await send(data.feedsUrl + feedButton.dataset.feed + "/rotate/")
      : await send(data.feedsUrl, { kind: data.kind, target: Number(data.target) });
    const input = document.getElementById("feed-url");
    if (!result.ok) { input.value = message(result.payload); return; }
    feedButton.dataset.feed = result.payload.id;
    input.value = result.payload.url;
    input.select();
    feedButton.textContent = "New address";
  });
})();
