// JSON report builders of the month's closing (INTERFACE.md "JSON reports"; see reports/registry.ts):
//   returns         returns received in month M and what became of them, as of the report date
//   reconciliation  Appendix 3 per МИО for period M: the window's transfers, total in words, ГК's balance, late facts, signing
//   bank-fees       Appendix 4 per МИО and bank, with the fee of each bank's tariff
//   deadlines       every deadline of DOMAIN.md §9 as of the date
// The reconciliation and bank-fee figures are the frozen ones where the month's step ran
// (`frozen: true`), else computed live; the deadlines are those stored by the check of that
// date where it ran (`checked: true`), else computed live. Fields beyond INTERFACE.md are
// additions, never replacements. A frozen act or fee report is stored JSON: its parts are
// copied field by field, so that the document has exactly the fields of its schema.
import { MonthRequired } from '../pipeline/kernel/errors.ts';
import { firstDayOfMonth, lastDayOfMonth } from '../pipeline/kernel/dates.ts';
import { returnStates } from '../pipeline/rules/return-state.ts';
import { reconciliationActs } from '../pipeline/steps/reconcile/index.ts';
import { bankFeeReports } from '../pipeline/steps/bank-fees/index.ts';
import { deadlineItems } from '../pipeline/steps/check-deadlines/index.ts';
import type { BankFeePart, ReconciliationActDoc } from '../schemas/reports/index.ts';
import { amountInWords } from './amount-words.ts';
import type { ReportBuilder, ReportOptions } from './registry.ts';

function requireMonth(opts: ReportOptions, form: string): string {
  if (!opts.month) throw new MonthRequired(`Для формы ${form} укажите --month ГГГГ-ММ`);
  return opts.month;
}

/** `returns`: returns with returned_on in M (by date, reference), status as of the report date. */
export const returnsReport: ReportBuilder<'returns'> = async (db, opts) => {
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
export const reconciliationReport: ReportBuilder<'reconciliation'> = async (db, opts) => {
  const month = requireMonth(opts, 'reconciliation');
  const acts = await reconciliationActs(db, month, opts.asOf, opts.mio);
  return {
    form: 'reconciliation',
    month,
    acts: acts.map(
      (a): ReconciliationActDoc => ({
        mio_bin: a.mio_bin,
        act_date: a.act_date,
        window: { after: a.window.after, through: a.window.through },
        rows: a.rows.map((r) => ({ line_code: r.line_code, mio_bin: r.mio_bin, mio_name: r.mio_name, pp_no: r.pp_no, pp_date: r.pp_date, amount: r.amount })),
        total: a.total,
        total_words: amountInWords(a.total),
        balance: {
          opening: a.balance.opening,
          received: a.balance.received,
          paid: a.balance.paid,
          returned: a.balance.returned,
          sent_back: a.balance.sent_back,
          closing: a.balance.closing,
        },
        late: a.late.map((l) => ({ kind: l.kind, ref: l.ref, dated: l.dated, amount: l.amount })),
        signed_on: a.signed_on,
        copies_received_on: a.copies_received_on,
        mio_name: a.mio_name,
        frozen: a.frozen,
        reconciled_on: a.reconciled_on,
      }),
    ),
  };
};

const part = (p: BankFeePart): BankFeePart => ({ count: p.count, lines: p.lines, amount: p.amount });

/** `bank-fees`: Appendix 4 of M per МИО (by БИН), rows by bank БИК. */
export const bankFeesReport: ReportBuilder<'bank-fees'> = async (db, opts) => {
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
        transferred: part(row.transferred),
        returned: part(row.returned),
        paid: part(row.paid),
        fee: row.fee,
        tariff: {
          fee_per_payment: row.tariff.fee_per_payment,
          fee_percent: row.tariff.fee_percent,
          fee_min: row.tariff.fee_min,
          fee_max: row.tariff.fee_max,
        },
      })),
      total: { transferred: part(r.total.transferred), returned: part(r.total.returned), paid: part(r.total.paid), fee: r.total.fee },
      mio_name: r.mio_name,
      as_of: r.as_of,
      frozen: r.frozen,
    })),
  };
};

/** `deadlines`: items as of the date, by due date, rule, object. */
export const deadlinesReport: ReportBuilder<'deadlines'> = async (db, opts) => {
  const { items, checked } = await deadlineItems(db, opts.asOf);
  return { form: 'deadlines', as_of: opts.asOf, items, checked };
};

export const closingReports = {
  returns: returnsReport,
  reconciliation: reconciliationReport,
  'bank-fees': bankFeesReport,
  deadlines: deadlinesReport,
};
