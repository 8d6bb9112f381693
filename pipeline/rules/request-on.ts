// The date of the demand request to the МИО (DOMAIN.md §3 «Decision on the demand»; Алгоритм …
// (приказ № 277 / № 459/НҚ), п. 14): the formation date when it is a working day, else the next
// working day. One home for the rule: form-demand numbers the request in the year of this date,
// the demand report and the printed request are dated by it.
import type { Calendar } from '../kernel/calendar.ts';
import type { IsoDate } from '../kernel/dates.ts';

export function requestOn(formedOn: IsoDate, calendar: Calendar): IsoDate {
  return calendar.isWorkingDay(formedOn) ? formedOn : calendar.nextWorkingDay(formedOn);
}
