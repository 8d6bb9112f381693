// The plug-in point of the import framework: one definition per KIND of INTERFACE.md.
// The framework reads the file, checks the header, parses each row with the kind's zod schema,
// and hands the rows that passed to `apply` in chunks of about 1000, inside the import's
// transaction. `apply` does the set-based checks against the database (known references, the
// natural key) and writes; it answers, for every row it was given, exactly one of: accepted,
// duplicate (counted), rejected (with the field and a Russian reason). The framework refuses an
// answer that loses or invents a row.
import type { Knex } from 'knex';
import type { ImportSchema } from '../../schemas/fields.ts';

export const IMPORT_KINDS = ['mios', 'banks', 'providers', 'acts', 'exemptions', 'bank-details', 'funding', 'returns'] as const;
export type ImportKindName = (typeof IMPORT_KINDS)[number];

export interface ImportContext {
  /** The import_batches row of this import: every inserted row carries it as batch_id. */
  batchId: number;
  asOf: string;
  operator: string;
}

export interface RowRejection {
  /** The row number in the file (the `index` the row was handed over with). */
  index: number;
  field: string | null;
  reason: string;
}

export interface ChunkOutcome {
  accepted: number;
  duplicates: number;
  rejected: RowRejection[];
}

/** A row that passed its schema; `index` is its row number in the file. */
export interface ValidRow<R> {
  index: number;
  row: R;
}

export type ApplyChunk<R> = (trx: Knex.Transaction, rows: ValidRow<R>[], ctx: ImportContext) => Promise<ChunkOutcome>;

export interface ImportKind<R> {
  kind: ImportKindName;
  /** Russian noun for messages: «акты», «поставщики»… */
  title: string;
  schema: ImportSchema<R>;
  /** Moves money: takes the pipeline lock and checks the ledger before commit. */
  movesMoney: boolean;
  /** Also takes an ISO 20022 pain.002 .xml file. */
  acceptsPain002?: boolean;
  apply: ApplyChunk<R>;
}
