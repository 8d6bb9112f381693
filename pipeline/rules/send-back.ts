// The send-back day of a return (DOMAIN.md §4.4, 002 §20): a returned sum still unpaid on the
// last working day of the month after the month of the return goes back to the МИО that day.
// refund-unsent sends on it; the deadline check judges against it.
import type { Calendar } from '../kernel/calendar.ts';
import { addMonths, monthOf, type IsoDate } from '../kernel/dates.ts';

/** The day an unsent return is due back at the МИО: the last working day of the month after the return. */
export function sendBackDeadline(calendar: Calendar, returnedOn: IsoDate): IsoDate {
  return calendar.lastWorkingDayOfMonth(addMonths(monthOf(returnedOn), 1));
}
