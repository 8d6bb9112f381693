// JSON report builders of the monthly cycle (INTERFACE.md "JSON reports"; see reports/registry.ts):
//   list          Appendix 1, the lists of month M per МИО, with the acts they held
//   transmission  Appendix 2, what went to ЦБД for month M's lists
//   demand        the demands formed in month M, with their periods and funding
//   contributions ОПВ / ОСМС / СО of month M's lists per МИО, with the registers that pay them
// Amounts are decimal strings with two decimals; they are summed in SQL (numeric) or big.js.
// The documents' shapes are the schemas of schemas/reports/.
import { MonthRequired } from '../pipeline/kernel/errors.ts';
import { formatAmount, sum } from '../pipeline/kernel/money.ts';
import { contributionRegisters } from '../pipeline/contributions.ts';
import { requireDocumentRequisites } from '../pipeline/requisites/index.ts';
import { requestOn } from '../pipeline/rules/request-on.ts';
import { knpCode, loadCalendar } from '../pipeline/kernel/reference.ts';
import { amountInWords } from './amount-words.ts';
import { demandFunding } from '../pipeline/rules/demand-funding.ts';
import type { ContributionRegisterDoc, Demand, ListDivision, ListRow, ListTotals } from '../schemas/reports/index.ts';
import type { ReportBuilder, ReportOptions } from './registry.ts';

function requireMonth(opts: ReportOptions, form: string): string {
  if (!opts.month) throw new MonthRequired(`Для формы ${form} укажите --month ГГГГ-ММ`);
  return opts.month;
}

/**
 * Whether the bank details a list row was listed with (`lr`, its list `l`) were marked incorrect by
 * a bank return on or before the list was built (DOMAIN §4): the printed Appendices 1 and 2 mark
 * the row. The field is added to the row only when true.
 */
const INCORRECT_AT_BUILD = `exists (select 1 from bank_detail_events e
   where e.bank_detail_id = lr.bank_detail_id and e.status = 'incorrect' and e.event_date <= l.built_on)`;

/** A list row as the query reads it: amounts as numeric text. */
interface ListQueryRow extends Omit<ListRow, 'no' | 'bank_details_incorrect'> {
  bank_details_incorrect: boolean;
  mio_bin: string;
  mio_name: string;
  row_no: number | string;
}

/** `list`: lists of month M, divisions by МИО БИН, rows by row number (service month, provider, act). */
export const listReport: ReportBuilder<'list'> = async (db, opts) => {
  const month = requireMonth(opts, 'list');
  const q = db('list_rows as lr')
    .join('lists as l', 'l.id', 'lr.list_id')
    .join('acts as a', 'a.id', 'lr.act_id')
    .join('providers as p', 'p.provider_id', 'lr.provider_id')
    .join('mios as mi', 'mi.mio_bin', 'l.mio_bin')
    .where('l.month', month)
    .select(
      'l.mio_bin',
      'mi.name as mio_name',
      'lr.row_no',
      'a.oblast',
      'a.region',
      'a.pwd_iin',
      'a.pwd_name',
      'lr.provider_id',
      'p.name as provider_name',
      'a.assistant_iin',
      'a.assistant_name',
      'a.order_no',
      'a.decision_no',
      'a.act_no',
      'a.received_on',
      'lr.service_month',
      'lr.guaranteed',
      'lr.provider_sum',
      'lr.opv',
      'lr.osms',
      'lr.so',
      db.raw(`${INCORRECT_AT_BUILD} as bank_details_incorrect`),
    )
    .orderBy([{ column: 'l.mio_bin' }, { column: 'lr.row_no' }]);
  if (opts.mio) q.where('l.mio_bin', opts.mio);
  const rows: ListQueryRow[] = await q;

  const divisions: ListDivision[] = [];
  let current: Omit<ListDivision, 'totals'> | undefined;
  const close = () => {
    if (!current) return;
    const rowsOf = current.rows;
    const total = (k: keyof ListTotals) => formatAmount(sum(rowsOf.map((r) => r[k])));
    divisions.push({ ...current, totals: { guaranteed: total('guaranteed'), provider_sum: total('provider_sum'), opv: total('opv'), osms: total('osms'), so: total('so') } });
  };
  for (const r of rows) {
    if (!current || current.mio_bin !== r.mio_bin) {
      close();
      current = { mio_bin: String(r.mio_bin), mio_name: String(r.mio_name), rows: [] };
    }
    current.rows.push({
      no: Number(r.row_no),
      oblast: r.oblast,
      region: r.region,
      pwd_iin: r.pwd_iin,
      pwd_name: r.pwd_name,
      provider_id: r.provider_id,
      provider_name: r.provider_name,
      assistant_iin: r.assistant_iin,
      assistant_name: r.assistant_name,
      order_no: r.order_no,
      decision_no: r.decision_no,
      act_no: r.act_no,
      received_on: r.received_on,
      service_month: r.service_month,
      guaranteed: formatAmount(String(r.guaranteed)),
      provider_sum: formatAmount(String(r.provider_sum)),
      opv: formatAmount(String(r.opv)),
      osms: formatAmount(String(r.osms)),
      so: formatAmount(String(r.so)),
      ...(r.bank_details_incorrect === true ? { bank_details_incorrect: true } : {}),
    });
  }
  close();

  const hq = db('list_holds as h')
    .join('acts as a', 'a.id', 'h.act_id')
    .where('h.month', month)
    .select('a.provider_id', 'a.act_no', 'h.reason')
    .orderBy([{ column: 'a.provider_id' }, { column: 'a.act_no' }]);
  if (opts.mio) hq.where('a.mio_bin', opts.mio);
  const held: { provider_id: string; act_no: string; reason: string }[] = await hq;

  return { form: 'list', month, divisions, held };
};

/** `transmission`: Appendix 2 rows of month M's lists, numbered through, with the bank-details snapshot. */
export const transmissionReport: ReportBuilder<'transmission'> = async (db, opts) => {
  const month = requireMonth(opts, 'transmission');
  const q = db('list_rows as lr')
    .join('lists as l', 'l.id', 'lr.list_id')
    .join('acts as a', 'a.id', 'lr.act_id')
    .join('bank_details as bd', 'bd.id', 'lr.bank_detail_id')
    .where('l.month', month)
    .select(
      'lr.provider_id',
      'a.assistant_iin',
      'a.pwd_iin',
      'bd.bik',
      'bd.iban',
      'lr.service_month',
      'lr.provider_sum',
      'lr.opv',
      'lr.osms',
      db.raw(`${INCORRECT_AT_BUILD} as bank_details_incorrect`),
    )
    .orderBy([{ column: 'l.mio_bin' }, { column: 'lr.row_no' }]);
  if (opts.mio) q.where('l.mio_bin', opts.mio);
  const rows: (Record<'provider_id' | 'assistant_iin' | 'pwd_iin' | 'bik' | 'iban' | 'service_month' | 'provider_sum' | 'opv' | 'osms', string> & {
    bank_details_incorrect: boolean;
  })[] = await q;
  return {
    form: 'transmission',
    month,
    rows: rows.map((r, i) => ({
      no: i + 1,
      provider_id: r.provider_id,
      assistant_iin: r.assistant_iin,
      pwd_iin: r.pwd_iin,
      bik: r.bik,
      iban: r.iban,
      service_month: r.service_month,
      provider_sum: formatAmount(r.provider_sum),
      opv: formatAmount(r.opv),
      osms: formatAmount(r.osms),
      ...(r.bank_details_incorrect === true ? { bank_details_incorrect: true } : {}),
    })),
  };
};

interface DemandQueryRow {
  id: number | string;
  mio_bin: string;
  mio_name: string;
  formed_on: string;
  request_year: number | string | null;
  request_no: number | string | null;
  request_due: string;
  funding_due: string;
  amount: string;
  row_count: number | string;
}

/**
 * `demand`: demands formed in month M by МИО БИН, with periods by service month; `funded` is
 * what transfers received on or before the report date allocated to its rows, `open` the rest.
 * Each request carries its date (`request_on`), its outgoing number and the sum in words; the
 * document names ГК's account to transfer to (site requisites in force, DOMAIN §6). The request
 * leaves ГК: with sample requisites it is built only where samples are allowed, and marked.
 */
export const demandReport: ReportBuilder<'demand'> = async (db, opts) => {
  const month = requireMonth(opts, 'demand');
  const site = await requireDocumentRequisites(db, 'Заявки о сумме потребности');
  const calendar = await loadCalendar(db);
  const gk = site.requisites.state_corporation;
  const payee = { name: gk.name, bin: gk.bin, bik: gk.bik, iban: gk.iban, kbe: gk.kbe, knp: await knpCode(db, 'reimbursement') };
  const q = db('demands as d')
    .join('mios as mi', 'mi.mio_bin', 'd.mio_bin')
    .where('d.month', month)
    .select('d.id', 'd.mio_bin', 'mi.name as mio_name', 'd.formed_on', 'd.request_year', 'd.request_no', 'd.request_due', 'd.funding_due', 'd.amount', 'd.row_count')
    .orderBy('d.mio_bin');
  if (opts.mio) q.where('d.mio_bin', opts.mio);
  const demands: DemandQueryRow[] = await q;
  const ids = demands.map((d) => d.id);
  const periods: { demand_id: number | string; service_month: string; rows: number; amount: string }[] = ids.length
    ? await db('demand_rows')
        .whereIn('demand_id', ids)
        .groupBy('demand_id', 'service_month')
        .select('demand_id', 'service_month', db.raw('count(*)::int as rows'), db.raw('sum(amount)::text as amount'))
        .orderBy(['demand_id', 'service_month'])
    : [];
  const funding = ids.length
    ? ((
        await db.raw(`select demand_id, funded::text as funded, unfunded::text as unfunded from (${demandFunding('?')}) f where demand_id = any(?::bigint[])`, [
          opts.asOf,
          ids.map(Number),
        ])
      ).rows as { demand_id: number | string; funded: string; unfunded: string }[])
    : [];
  return {
    form: 'demand',
    month,
    sample: site.sample,
    payee,
    demands: demands.map((d): Demand => {
      const f = funding.find((x) => Number(x.demand_id) === Number(d.id))!;
      return {
        mio_bin: d.mio_bin,
        mio_name: d.mio_name,
        formed_on: d.formed_on,
        request_on: requestOn(d.formed_on, calendar),
        request_no: d.request_no == null ? null : Number(d.request_no),
        request_year: d.request_year == null ? null : Number(d.request_year),
        request_due: d.request_due,
        funding_due: d.funding_due,
        amount: formatAmount(String(d.amount)),
        amount_words: amountInWords(String(d.amount)),
        rows: Number(d.row_count),
        periods: periods
          .filter((p) => Number(p.demand_id) === Number(d.id))
          .map((p) => ({ service_month: p.service_month, rows: Number(p.rows), amount: formatAmount(String(p.amount)) })),
        funded: formatAmount(String(f.funded)),
        open: formatAmount(String(f.unfunded)),
      };
    }),
  };
};

/**
 * `contributions`: per МИО of month M's lists, the ОПВ, ОСМС and СО rows with a non-zero amount
 * and their sums; and the registers of pipeline/contributions.ts, which the printed form lists.
 */
export const contributionsReport: ReportBuilder<'contributions'> = async (db, opts) => {
  const month = requireMonth(opts, 'contributions');
  const q = db('list_rows as lr')
    .join('lists as l', 'l.id', 'lr.list_id')
    .join('mios as mi', 'mi.mio_bin', 'l.mio_bin')
    .where('l.month', month)
    .groupBy('l.mio_bin', 'mi.name')
    .select(
      'l.mio_bin',
      'mi.name as mio_name',
      db.raw('count(*) filter (where lr.opv > 0)::int as opv_count'),
      db.raw('sum(lr.opv)::text as opv'),
      db.raw('count(*) filter (where lr.osms > 0)::int as osms_count'),
      db.raw('sum(lr.osms)::text as osms'),
      db.raw('count(*) filter (where lr.so > 0)::int as so_count'),
      db.raw('sum(lr.so)::text as so'),
    )
    .orderBy('l.mio_bin');
  if (opts.mio) q.where('l.mio_bin', opts.mio);
  const rows: { mio_bin: string; mio_name: string; opv_count: number; opv: string; osms_count: number; osms: string; so_count: number; so: string }[] = await q;

  // The registers leave ГК: built from sample requisites only where samples are allowed (marked).
  const site = await requireDocumentRequisites(db, 'Реестры взносов');
  const registers = new Map<string, ContributionRegisterDoc[]>();
  for (const r of await contributionRegisters(db, month, { mio: opts.mio, requisites: site })) {
    const list = registers.get(r.mio.bin) ?? [];
    list.push({
      kind: r.kind,
      knp: r.knp,
      payer: { bin: r.mio.bin, name: r.mio.name, bik: r.mio.bik, iban: r.mio.iban },
      receiver: { bin: r.receiver.bin, name: r.receiver.name, bik: r.receiver.bik, iban: r.receiver.iban, kbe: r.receiver.kbe },
      persons: r.persons.map((p) => ({ iin: p.iin, name: p.name, birth_date: p.birth_date, period: p.period, rows: p.rows, amount: p.amount })),
      count: r.count,
      total: r.total,
    });
    registers.set(r.mio.bin, list);
  }
  const stray = [...registers.keys()].filter((bin) => !rows.some((r) => r.mio_bin === bin));
  if (stray.length) throw new Error(`contributions ${month}: registers of МИО ${stray.join(', ')} without a summary row`);

  return {
    form: 'contributions',
    month,
    sample: site.sample,
    mios: rows.map((r) => ({
      mio_bin: r.mio_bin,
      mio_name: r.mio_name,
      opv: { count: Number(r.opv_count), amount: formatAmount(String(r.opv)) },
      osms: { count: Number(r.osms_count), amount: formatAmount(String(r.osms)) },
      so: { count: Number(r.so_count), amount: formatAmount(String(r.so)) },
      registers: registers.get(r.mio_bin) ?? [],
    })),
  };
};

export const cycleReports = {
  list: listReport,
  transmission: transmissionReport,
  demand: demandReport,
  contributions: contributionsReport,
};
