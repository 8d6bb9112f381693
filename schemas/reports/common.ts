// The values of the JSON reports (INTERFACE.md «JSON reports»): amounts are strings with exactly
// two decimals, counts are numbers, dates `YYYY-MM-DD`, months `YYYY-MM`, identifiers with their
// checksums. Every report object is strict: a field the builder prints and its schema does not
// name is an error, so the schema is the whole list of what a report carries.
import { z } from 'zod';
import { isValidDate, isValidMonth } from '../../pipeline/kernel/dates.ts';
import { isValidBik, isValidIinBin, isValidKzIban } from '../../pipeline/kernel/identifiers.ts';

/** A non-negative amount as formatAmount (pipeline/kernel/money.ts) gives it: "0.00", "47196.16". */
export const amount = z.string().regex(/^(0|[1-9]\d*)\.\d\d$/, 'not an amount with two decimals');

/** A balance, which may be below zero: "-120.50"; never "-0.00". */
export const signedAmount = z.string().regex(/^(?!-0\.00$)-?(0|[1-9]\d*)\.\d\d$/, 'not an amount with two decimals');

/** A rate such as a percent of a tariff, numeric(9,4) as PostgreSQL prints it: "0.1000". */
export const decimal = z.string().regex(/^(0|[1-9]\d*)(\.\d{1,4})?$/, 'not a decimal');

export const count = z.int().min(0);
/** A row number, from 1. */
export const ordinal = z.int().min(1);

export const date = z.string().refine(isValidDate, 'not a date YYYY-MM-DD');
export const month = z.string().refine(isValidMonth, 'not a month YYYY-MM');

/** ИИН or БИН (12 digits, check digit). */
export const idNumber = z.string().refine(isValidIinBin, 'not an ИИН/БИН');
export const bik = z.string().refine(isValidBik, 'not a БИК');
export const iban = z.string().refine(isValidKzIban, 'not a Kazakh IBAN');

/** Text that a form prints as a name or a number: never empty. */
export const text = z.string().min(1);

/** A transfer's or a part's count and sum. */
export const countAmount = z.strictObject({ count, amount });
