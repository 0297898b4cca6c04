// Reads an iTIP invitation (an .ics attached to a mail) from stdin with ical.js and prints
// what a calendar app acts on: the METHOD, and per event its uid, sequence, status, zone,
// start and end as UTC instants, organizer and attendees.
import fs from "node:fs";
import ICAL from "ical.js";

const calendar = new ICAL.Component(ICAL.parse(fs.readFileSync(0, "utf8")));
for (const zone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const utc = (time) => time.convertToZone(ICAL.Timezone.utcTimezone).toString();
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    sequence: event.sequence,
    status: component.getFirstPropertyValue("status"),
    zone: event.startDate.zone ? event.startDate.zone.tzid : null,
    start: utc(event.startDate),
    end: utc(event.endDate),
    organizer: component.getFirstPropertyValue("organizer"),
    attendees: event.attendees.map((attendee) => ({
      address: attendee.getFirstValue(),
      partstat: attendee.getParameter("partstat"),
    })),
  };
});
process.stdout.write(JSON.stringify({ method: calendar.getFirstPropertyValue("method"), events }));
