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

  function csrf() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
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

  const calendar = new FullCalendar.Calendar(el, {
    timeZone: "UTC",
    initialView: window.innerWidth < 720 ? "listWeek" : "timeGridWeek",
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
    eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
    events: { url: data.eventsUrl, extraParams: { [data.kind]: data.target } },
    datesSet: () => tidy(),
    dayCellDidMount: (arg) => {
      // FullCalendar names a month cell by its day number only, so a cell holding bookings
      // has a name that leaves out what it shows; its text is the better name.
      arg.el.removeAttribute("aria-labelledby");
    },
    eventClick: (info) => showDetails(info.event),
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
    const result = await send(url, {
      start: wall(info.event.start), end: wall(info.event.end), zone: data.zone,
    });
    if (!result.ok) {
      info.revert();
      // Show the booking where it stays, with what it would have collided with.
      showDetails(info.oldEvent || info.event, message(result.payload));
      return;
    }
    calendar.refetchEvents();
  }

  function openCreate(info) {
    document.getElementById("create-error").textContent = "";
    document.getElementById("create-when").textContent =
      wall(info.start).replace("T", " ").slice(0, 16) + " – " + wall(info.end).replace("T", " ").slice(0, 16);
    form.dataset.start = wall(info.start);
    form.dataset.end = wall(info.end);
    dialog.showModal();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = new FormData(form);
    const result = await send(data.createUrl, {
      project: fields.get("project"),
      room: fields.get("room"),
      title: fields.get("title"),
      status: fields.get("status"),
      start: form.dataset.start,
      end: form.dataset.end,
      zone: data.zone,
    });
    if (!result.ok) {
      document.getElementById("create-error").textContent = message(result.payload);
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
    const actions = document.getElementById("details-actions");
    actions.replaceChildren();
    if (!p.mayChange) return;
    for (const [verb, label] of ACTIONS[p.status] || []) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      if (verb === "cancel" || verb === "release") button.className = "danger";
      button.addEventListener("click", async () => {
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
