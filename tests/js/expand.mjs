// Expands every recurring VEVENT of an .ics file with ical.js (Thunderbird's engine) and prints
// {uid: [YYYY-MM-DD, ...]} for the dates in [from, to): what such a client shows.
// Usage: node expand.mjs FILE FROM TO
import fs from "node:fs";
import ICAL from "ical.js";

const [file, from, to] = process.argv.slice(2);
const root = new ICAL.Component(ICAL.parse(fs.readFileSync(file, "utf8")));
const out = {};
for (const vevent of root.getAllSubcomponents("vevent")) {
  const event = new ICAL.Event(vevent);
  if (!event.isRecurring()) continue;
  const days = [];
  const it = event.iterator();
  for (let next = it.next(); next; next = it.next()) {
    const day = next.toString().slice(0, 10);
    if (day >= to) break;
    if (day >= from) days.push(day);
  }
  out[event.uid] = days;
}
process.stdout.write(JSON.stringify(out));
