// Contributions registers (DOMAIN.md §2, §7; 002 §4–5, §8, §10): per МИО, КНП and list month,
// what the МИО pays from the lists — ОПВ (КНП 010) and ВОСМС (КНП 122) inside the guaranteed
// sum, СО (КНП 012) over it — to the State Corporation's contribution accounts of the site
// requisites in force (pipeline/requisites/; not to ЕНПФ/ФСМС/ГФСС directly). Each register lists
// the persons (the assistants) once per period with ИИН, name, date of birth (from the ИИН),
// period and amount, and becomes a pain.001 payment order from the МИО's own account to ГК's
// account of that КНП. Read-only over the lists: nothing here writes to the database.
import type { Db } from './kernel/db.ts';
import { assertMonth, type IsoMonth } from './kernel/dates.ts';
import { birthDateOfIin } from './kernel/identifiers.ts';
import { buildPain001, type Pain001Transaction } from './iso20022/pain001-writer.ts';
import { fitText, NAME_MAX } from './iso20022/xml.ts';
import { formatAmount, sum } from './kernel/money.ts';
import { knpCode } from './kernel/reference.ts';
import { contributionAccount, requisitesInForce, SAMPLE_MARK, type ContributionAccount, type RequisitesInForce } from './requisites/index.ts';

export const CONTRIBUTION_KINDS = ['opv', 'osms', 'so'] as const;
export type ContributionKind = (typeof CONTRIBUTION_KINDS)[number];

/** How each contribution is named on a payment order. */
export const CONTRIBUTION_LABEL: Record<ContributionKind, string> = { opv: 'ОПВ', osms: 'ВОСМС', so: 'СО' };

/** The account a contribution is paid to: ГК's account of its КНП in the requisites in force. */
export type ContributionReceiver = ContributionAccount;

export interface ContributionPerson {
  iin: string;
  name: string;
  /** From the ИИН (YYYY-MM-DD); null when its digits are not a date. */
  birth_date: string | null;
  /** The service month the contribution is for. */
  period: string;
  amount: string;
  /** List rows behind the amount (one per act). */
  rows: number;
}

export interface ContributionRegister {
  /** The list month. */
  month: string;
  kind: ContributionKind;
  knp: string;
  mio: { bin: string; name: string; bik: string; iban: string };
  receiver: ContributionReceiver;
  /** Built from the sample requisites of reference/: the documents are marked «ОБРАЗЕЦ». */
  sample: boolean;
  /** The date the list was built; the default execution date of the payment order. */
  formed_on: string;
  /** One per (assistant, service month) with a non-zero amount, by ИИН then period. */
  persons: ContributionPerson[];
  count: number;
  total: string;
}

/**
 * The registers of month M's lists: per МИО (by БИН) the ОПВ, ВОСМС and СО registers, each
 * only when it has a non-zero amount. A person with several acts in one service month (several
 * ЛСИ) appears once for that period with the sum of the rows.
 */
export async function contributionRegisters(
  db: Db,
  month: string,
  opts: { mio?: string; requisites?: RequisitesInForce } = {},
): Promise<ContributionRegister[]> {
  const m: IsoMonth = assertMonth(month);
  const site = opts.requisites ?? (await requisitesInForce(db));
  const knp: Record<ContributionKind, string> = {
    opv: await knpCode(db, 'opv'),
    osms: await knpCode(db, 'osms'),
    so: await knpCode(db, 'so'),
  };
  const q = db('list_rows as lr')
    .join('lists as l', 'l.id', 'lr.list_id')
    .join('acts as a', 'a.id', 'lr.act_id')
    .join('mios as mi', 'mi.mio_bin', 'l.mio_bin')
    .where('l.month', m)
    .groupBy('l.mio_bin', 'mi.name', 'mi.bik', 'mi.iban', 'l.built_on', 'a.assistant_iin', 'lr.service_month')
    .select(
      'l.mio_bin',
      'mi.name as mio_name',
      'mi.bik as mio_bik',
      'mi.iban as mio_iban',
      'l.built_on',
      'a.assistant_iin',
      'lr.service_month',
      db.raw('(array_agg(a.assistant_name order by lr.row_no))[1] as name'),
      db.raw('sum(lr.opv)::text as opv'),
      db.raw('sum(lr.osms)::text as osms'),
      db.raw('sum(lr.so)::text as so'),
      db.raw('count(*) filter (where lr.opv > 0)::int as opv_rows'),
      db.raw('count(*) filter (where lr.osms > 0)::int as osms_rows'),
      db.raw('count(*) filter (where lr.so > 0)::int as so_rows'),
    )
    .orderBy(['l.mio_bin', 'a.assistant_iin', 'lr.service_month']);
  if (opts.mio) q.where('l.mio_bin', opts.mio);
  const rows = (await q) as Record<string, string | number>[];

  const byMio = new Map<string, Record<string, string | number>[]>();
  for (const r of rows) {
    const list = byMio.get(String(r.mio_bin)) ?? [];
    list.push(r);
    byMio.set(String(r.mio_bin), list);
  }
  const registers: ContributionRegister[] = [];
  for (const [mioBin, mioRows] of byMio) {
    const first = mioRows[0];
    for (const kind of CONTRIBUTION_KINDS) {
      const persons: ContributionPerson[] = mioRows
        .filter((r) => Number(r[`${kind}_rows`]) > 0)
        .map((r) => ({
          iin: String(r.assistant_iin),
          name: String(r.name),
          birth_date: birthDateOfIin(String(r.assistant_iin)),
          period: String(r.service_month),
          amount: formatAmount(String(r[kind])),
          rows: Number(r[`${kind}_rows`]),
        }));
      if (persons.length === 0) continue;
      const receiver = contributionAccount(site.requisites, knp[kind]);
      registers.push({
        month: m,
        kind,
        knp: knp[kind],
        mio: { bin: mioBin, name: String(first.mio_name), bik: String(first.mio_bik), iban: String(first.mio_iban) },
        receiver,
        sample: site.sample,
        formed_on: String(first.built_on),
        persons,
        count: persons.length,
        total: formatAmount(sum(persons.map((p) => p.amount))),
      });
    }
  }
  return registers;
}

/** The file name of a register's payment order: `opv_2025-03_<МИО БИН>.xml`. */
export function contributionFileName(register: ContributionRegister, ext = 'xml'): string {
  return `${register.kind}_${register.month}_${register.mio.bin}.${ext}`;
}

const KIND_CODE: Record<ContributionKind, string> = { opv: 'OPV', osms: 'OSMS', so: 'SO' };
const REMITTANCE_MAX = 140 - ' КНП 000 КБе 00'.length;

/**
 * The register as a pain.001.001.09 payment order from the МИО's account to the receiver: one
 * credit transfer per person and period, the person's ИИН, period and name in the payment
 * purpose. Execution date: the given one, else the date the list was built. Deterministic.
 */
export function contributionPain001(
  register: ContributionRegister,
  opts: { executionDate?: string; createdAt?: string } = {},
): string {
  const date = opts.executionDate ?? register.formed_on;
  const code = KIND_CODE[register.kind];
  const id = `${code}-${register.month}-${register.mio.bin}`;
  const transactions: Pain001Transaction[] = register.persons.map((p, i) => {
    const head = `${CONTRIBUTION_LABEL[register.kind]} за ${p.period} ИИН ${p.iin}`;
    const room = REMITTANCE_MAX - head.length - 1;
    const name = [...p.name].slice(0, Math.max(0, room)).join('');
    return {
      endToEndId: `${code}-${register.month.replace('-', '')}-${register.mio.bin}-${String(i + 1).padStart(5, '0')}`,
      amount: p.amount,
      creditor: {
        name: register.receiver.name,
        idNumber: register.receiver.bin,
        iban: register.receiver.iban,
        bik: register.receiver.bik,
        kbe: register.receiver.kbe,
      },
      remittance: name ? `${head} ${name}` : head,
      knp: register.knp,
    };
  });
  return buildPain001({
    messageId: id,
    createdAt: opts.createdAt ?? `${date}T09:00:00+05:00`,
    // From sample requisites the initiating party says so: a bank rejects the file rather than pays it.
    // A МИО name longer than 140 characters is fitted by the writer (Nm); the register keeps it whole.
    initiatingParty: { name: register.sample ? fitText(`${SAMPLE_MARK} — НЕ ИСПОЛНЯТЬ. ${register.mio.name}`, NAME_MAX) : register.mio.name, bin: register.mio.bin },
    debtor: { name: register.mio.name, bin: register.mio.bin, iban: register.mio.iban, bik: register.mio.bik },
    paymentInfoId: id,
    requestedExecutionDate: date,
    purposeKnp: register.knp,
    transactions,
  });
}
