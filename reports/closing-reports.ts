// JSON report builders of the month's closing (INTERFACE.md "JSON reports"; see reports/registry.ts):
//   returns         returns received in month M and what became of them, as of the report date
//   reconciliation  Appendix 3 per МИО: transfers received in M, total in words, ГК's balance
//   bank-fees       Appendix 4 per МИО and bank, with the fee of each bank's tariff
//   deadlines       every deadline of DOMAIN.md §9 as of the date
// The reconciliation and bank-fee figures are the frozen ones where the month's step ran
// (`frozen: true`), else computed live; the deadlines are those stored by the check of that
// date where it ran (`checked: true`), else computed live. Fields beyond INTERFACE.md are
// additions, never replacements.
import { MonthRequired } from '../pipeline/kernel/errors.ts';
import { firstDayOfMonth, lastDayOfMonth } from '../pipeline/kernel/dates.ts';
import { returnStates } from '../pipeline/rules/return-state.ts';
import { reconciliationActs } from '../pipeline/steps/reconcile/index.ts';
import { bankFeeReports } from '../pipeline/steps/bank-fees/index.ts';
import { deadlineItems } from '../pipeline/steps/check-deadlines/index.ts';
import { amountInWords } from './amount-words.ts';
import type { FormName, ReportBuilder, ReportOptions } from './registry.ts';

function requireMonth(opts: ReportOptions, form: string): string {
  if (!opts.month) throw new MonthRequired(`Для формы ${form} укажите --month ГГГГ-ММ`);
  return opts.month;
}

/** `returns`: returns with returned_on in M (by date, reference), status as of the report date. */
export const returnsReport: ReportBuilder = async (db, opts) => {
  const month = requireMonth(opts, 'returns');
  const states = await returnStates(db, { asOf: opts.asOf, from: firstDayOfMonth(month), to: lastDayOfMonth(month), mioBin: opts.mio });
  return {
    form: 'returns',
    month,
    as_of: opts.asOf,
    returns: states.map((r) => ({
      ref: r.ref,
      provider_id: r.providerId,
      amount: r.amount,
      returned_on: r.returnedOn,
      reason_code: r.reasonCode,
      status: r.status,
      repaid_ref: r.repaidRef,
      sent_back_on: r.sentBackOn,
      mio_bin: r.mioBin,
      reason_text: r.reasonText,
      repaid_on: r.repaidOn,
      sent_back_ref: r.sentBackRef,
    })),
  };
};

/** `reconciliation`: the acts of M per МИО (by БИН), rows by payment-order date and number. */
export const reconciliationReport: ReportBuilder = async (db, opts) => {
  const month = requireMonth(opts, 'reconciliation');
  const acts = await reconciliationActs(db, month, opts.mio);
  return {
    form: 'reconciliation',
    month,
    acts: acts.map((a) => ({
      mio_bin: a.mio_bin,
      rows: a.rows,
      total: a.total,
      total_words: amountInWords(a.total),
      balance: a.balance,
      mio_name: a.mio_name,
      frozen: a.frozen,
      reconciled_on: a.reconciled_on,
    })),
  };
};

/** `bank-fees`: Appendix 4 of M per МИО (by БИН), rows by bank БИК. */
export const bankFeesReport: ReportBuilder = async (db, opts) => {
  const month = requireMonth(opts, 'bank-fees');
  const reports = await bankFeeReports(db, month, opts.asOf, opts.mio);
  return {
    form: 'bank-fees',
    month,
    mios: reports.map((r) => ({
      mio_bin: r.mio_bin,
      rows: r.rows.map((row) => ({
        bik: row.bik,
        name: row.name,
        transferred: row.transferred,
        returned: row.returned,
        paid: row.paid,
        fee: row.fee,
        tariff: row.tariff,
      })),
      total: r.total,
      mio_name: r.mio_name,
      as_of: r.as_of,
      frozen: r.frozen,
    })),
  };
};

/** `deadlines`: items as of the date, by due date, rule, object. */
export const deadlinesReport: ReportBuilder = async (db, opts) => {
  const { items, checked } = await deadlineItems(db, opts.asOf);
  return { form: 'deadlines', as_of: opts.asOf, items, checked };
};

export const closingReports: Partial<Record<FormName, ReportBuilder>> = {
  returns: returnsReport,
  reconciliation: reconciliationReport,
  'bank-fees': bankFeesReport,
  deadlines: deadlinesReport,
};
