// Reads an iCalendar file from stdin with ical.js (the parser of Thunderbird and Nextcloud) and
// prints each event as JSON: uid, status, start and end as UTC instants, as that parser sees them.
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
    status: component.getFirstPropertyValue("status"),
    sequence: event.sequence,
    zone: event.startDate.zone ? event.startDate.zone.tzid : null,
    start: utc(event.startDate),
    end: utc(event.endDate),
  };
});
process.stdout.write(JSON.stringify(events));
