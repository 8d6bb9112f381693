// Е-Собес, the 14th of the list month M (DOMAIN.md §2–3, 002 §6–9): one list (Appendix 1) per
// МИО of every act accepted on or before the as-of date and not yet listed, with the split
// computed per act; accepted acts the list cannot take are held with a reason. The same run
// notifies every provider of its formed sum, queues the Appendix 2 transmission to ЦБД per list
// and posts the 'list' ledger entries.
//
// Set-based: one statement stages the candidate acts (exemption flags and bank-details version
// resolved) in a temporary table; the split is computed (computeSplit, big.js) once per distinct
// (year, hours, claim, kind, exemptions) and joined back in SQL; the contributions of a person
// with several acts in a list are then computed on the person's total and allocated to the acts
// (persons.ts, DOMAIN §2); holds and caps are decided in
// TypeScript over the few acts that could be held or bind a cap. The rows never travel to the
// application, so a million acts cost a handful of statements and little memory.
//
// The parts: staging.ts (the candidates), holds.ts, splits.ts, caps.ts, writes.ts, persons.ts.
import type { Db, Trx } from '../../kernel/db.ts';
import type { IsoDate, IsoMonth } from '../../kernel/dates.ts';
import { BusinessRuleError } from '../../kernel/errors.ts';
import { faultPoint } from '../../kernel/faults.ts';
import { formatAmount, sum } from '../../kernel/money.ts';
import { loadRates } from '../../kernel/reference.ts';
import type { YearRates } from '../../kernel/reference-files.ts';
import { laterRunKey, monthStepDates, runStep, type StepOptions, type StepOutcome } from '../../kernel/step-run.ts';
import { checkCaps } from './caps.ts';
import { decideHolds, type HoldDraft } from './holds.ts';
import { allocatePerPerson } from './persons.ts';
import { SplitCache, splitTable } from './splits.ts';
import { candidateYears, digestCandidates, stageCandidates } from './staging.ts';
import {
  notifyProviders,
  postLists,
  queueTransmissions,
  readListTotals,
  writeHolds,
  writeListRows,
  type BuiltList,
  type ListTotals,
} from './writes.ts';

export const BUILD_LISTS_STEP = 'build-lists';

export interface BuildListsResult {
  month: string;
  built_on: string;
  lists: BuiltList[];
  rows: number;
  held: HoldDraft[];
  totals: ListTotals;
  /** Rows listed with a bank-details version that a bank return marked incorrect. */
  incorrect_bank_details: number;
  providers_notified: number;
}

async function assertLaterListsAbsent(trx: Trx, month: IsoMonth): Promise<void> {
  const later = await laterRunKey(trx, BUILD_LISTS_STEP, month);
  if (later) {
    throw new BusinessRuleError(
      'lists-in-month-order',
      `Списки за ${month} не могут быть сформированы: уже сформированы списки за более поздний месяц ${later}. ` +
        `Списки формируются по порядку месяцев; непринятые акты войдут в следующий список.`,
    );
  }
}

function validate(opts: StepOptions): { month: IsoMonth; asOf: IsoDate } {
  return monthStepDates(opts, 'Укажите месяц списка --month ГГГГ-ММ', (month, asOf) =>
    `Список за ${month} формируется в этом же месяце (по умолчанию 14-го числа); дата запуска ${asOf} вне месяца списка`,
  );
}

/** `payouts run build-lists --month M`: the lists of month M as of the as-of date. */
export async function buildLists(db: Db, opts: StepOptions): Promise<StepOutcome<BuildListsResult>> {
  const { month, asOf } = validate(opts);
  let rates: YearRates[] = [];

  return runStep<Record<string, unknown>, BuildListsResult>(db, {
    step: BUILD_LISTS_STEP,
    key: month,
    asOf,
    operator: opts.operator,
    dryRun: opts.dryRun,
    async inputs(trx) {
      await stageCandidates(trx, month, asOf);
      rates = await loadRates(trx);
      const acts = await digestCandidates(trx);
      // Only the years the candidates use: loading next year's rates must not change a past month.
      const years = await candidateYears(trx);
      return { month, acts, rates: rates.filter((r) => years.includes(r.year)) };
    },
    async apply({ trx, runId }) {
      const run = { month, asOf, runId };
      await assertLaterListsAbsent(trx, month);
      const held = await decideHolds(trx, month, asOf);
      const splits = new SplitCache(rates);
      const splitsJson = JSON.stringify(await splitTable(trx, splits));
      await checkCaps(trx, month, splitsJson, splits, rates);

      const { taken, incorrect } = await writeListRows(trx, run, splitsJson);
      await allocatePerPerson(trx, runId, rates);
      faultPoint('build-lists.rows-half');
      await writeHolds(trx, run, held);
      faultPoint('build-lists.after-rows');

      // Totals as stored; the ledger, the ЦБД transmission and the summary all read them.
      const lists = await readListTotals(trx, runId);
      const providersNotified = await notifyProviders(trx, runId, month, asOf);
      await queueTransmissions(trx, run, lists);
      faultPoint('build-lists.before-ledger');
      await postLists(trx, run, lists);

      const total = (k: keyof ListTotals) => formatAmount(sum(lists.map((l) => l[k])));
      return {
        month,
        built_on: asOf,
        lists,
        rows: taken,
        held,
        totals: { guaranteed: total('guaranteed'), provider_sum: total('provider_sum'), opv: total('opv'), osms: total('osms'), so: total('so') },
        incorrect_bank_details: incorrect,
        providers_notified: providersNotified,
      };
    },
    summarize(r) {
      return {
        month: r.month,
        built_on: r.built_on,
        lists: r.lists.length,
        rows: r.rows,
        held: r.held.length,
        ...r.totals,
        incorrect_bank_details: r.incorrect_bank_details,
        providers_notified: r.providers_notified,
        mios: r.lists.map((l) => ({ mio_bin: l.mio_bin, rows: l.rows, guaranteed: l.guaranteed, provider_sum: l.provider_sum })),
      };
    },
  });
}
