// What some forms print beyond their JSON document, read from the database when the caller can
// give it: the МИО names (the demand, payment-order, contributions and returns documents carry
// only the БИН) and the persons of the contributions registers.
import type { Db } from '../../pipeline/kernel/db.ts';
import { contributionRegisters, type ContributionRegister } from '../../pipeline/contributions.ts';
import type { FormName } from '../registry.ts';
import type { FormExtras } from './common.ts';

export interface ContributionsExtras extends FormExtras {
  /** The registers of the month's lists (persons, КНП, receivers); absent without a database. */
  registers?: ContributionRegister[];
}

export interface ExtrasSource {
  db: Db;
  month?: string;
  mio?: string;
  asOf: string;
}

const NEEDS_MIO_NAMES: FormName[] = ['demand', 'payment-orders', 'contributions', 'returns'];

export async function loadExtras(form: FormName, doc: Record<string, unknown>, source?: ExtrasSource): Promise<ContributionsExtras> {
  if (!source) return {};
  const extras: ContributionsExtras = {};
  if (NEEDS_MIO_NAMES.includes(form)) {
    const rows = (await source.db('mios').select('mio_bin', 'name')) as { mio_bin: string; name: string }[];
    extras.mioNames = new Map(rows.map((r) => [r.mio_bin, r.name]));
  }
  if (form === 'contributions') {
    const month = typeof doc.month === 'string' ? doc.month : source.month;
    if (month) extras.registers = await contributionRegisters(source.db, month, { mio: source.mio });
  }
  return extras;
}
