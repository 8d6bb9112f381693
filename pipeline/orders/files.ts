// The bank files of payment orders: each order's pain.001 (pipeline/orders/pain001.ts) written
// to payment-order_<year>-<number>.xml after the step that issued it has committed, from the
// committed rows, so any file can be written again (`payouts orders export`) with the same bytes.
// The payer is ГК's account of the site requisites in force (pipeline/requisites/): with the
// samples of reference/ the files are written only where samples are allowed, and marked
// «ОБРАЗЕЦ»; elsewhere the orders stay issued and the step says how to write their files later.
import { accessSync, closeSync, constants, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { checkPain001, writePain001, type Pain001Message } from '../iso20022/pain001-writer.ts';
import { faultPoint } from '../kernel/faults.ts';
import type { StepOptions, StepOutcome } from '../kernel/step-run.ts';
import { removeStaleTemps, tempPathFor } from '../kernel/temp-files.ts';
import { UsageError } from '../kernel/errors.ts';
import { APPROVED_SQL, type OrderKind } from './issuing.ts';
import { orderHeaders, orderKnp, orderLines, pain001Of, type OrderLineRow, type OrderRow } from './pain001.ts';
import { documentRequisites, requireDocumentRequisites, requisitesInForce, requisitesVersion, type RequisitesInForce } from '../requisites/index.ts';

type Q = Knex | Knex.Transaction;

/** Where pay and refund-unsent write their pain.001 files unless told otherwise. */
export const DEFAULT_ORDERS_DIR = 'out/payment-orders';

/** The options of a step that issues orders (pay, refund-unsent). */
export interface OrderStepOptions extends StepOptions {
  /** Where the pain.001 files go (default out/payment-orders). */
  outDir?: string;
}

/** The file an order's pain.001 is written to. */
export function orderFileName(year: number, number: number): string {
  return `payment-order_${year}-${number}.xml`;
}

/**
 * The output folder is usable before a step starts (issue 13.1): it exists and is a writable
 * folder, or the nearest existing folder above it is writable (it will be created). Else
 * UsageError (exit 2, nothing changed).
 */
export function assertOutDir(outDir: string): void {
  let dir = path.resolve(outDir);
  // Kernel file systems: no file belongs there, and Node's recursive mkdir loops for ever on them.
  if (/^\/(proc|sys)(\/|$)/.test(dir)) throw new UsageError(`«${outDir}» — системная папка, файлы туда не пишутся: укажите другую папку в --out`);
  for (;;) {
    let isDir: boolean;
    try {
      isDir = statSync(dir).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        const parent = path.dirname(dir);
        if (parent === dir) break;
        dir = parent;
        continue;
      }
      if (code === 'ENOTDIR') throw new UsageError(`Папка для файлов «${outDir}» не может быть создана: часть пути — файл, а не папка`);
      throw new UsageError(`Папка для файлов «${outDir}» недоступна (${code ?? 'ошибка'})`);
    }
    if (!isDir) {
      throw new UsageError(
        dir === path.resolve(outDir)
          ? `«${outDir}» — файл, а не папка: укажите папку для файлов в --out`
          : `Папка для файлов «${outDir}» не может быть создана: «${dir}» — файл, а не папка`,
      );
    }
    try {
      accessSync(dir, constants.W_OK | constants.X_OK);
    } catch {
      throw new UsageError(`Нет права записи в папку «${dir}»: файлы в «${outDir}» не записать. Укажите другую папку в --out`);
    }
    return;
  }
}

/** What writing files after a commit gave: the files written, and those still to write (with why). */
export interface FilesOutcome {
  files: string[];
  /** Files that could not be written (the step is committed all the same). */
  pending: string[];
  /** Why they could not be written; null when every file was written. */
  error: string | null;
  /** The Russian refusal when the requisites in force are samples and samples are not allowed. */
  refused: string | null;
}

/** Characters gathered per write call: an order's document goes to its file in pieces of this size. */
const FILE_WRITE_CHARS = 1 << 16;

/**
 * Writes the pain.001 of an order into a new file, mode `mode`, in pieces: a large order never
 * sits in memory as one string (writePain001 checks every line before the first piece).
 */
function writePain001File(file: string, msg: Pain001Message, mode: number): void {
  const fd = openSync(file, 'wx', mode);
  try {
    let pending = '';
    writePain001(msg, (xml) => {
      pending += xml;
      if (pending.length >= FILE_WRITE_CHARS) {
        writeSync(fd, pending);
        pending = '';
      }
    });
    writeSync(fd, pending);
  } finally {
    closeSync(fd);
  }
}

/** Lines read per query when writing the files: whole orders, about this many lines at a time. */
const FILE_LINES_PER_READ = 5_000;

/** The orders in batches of whole orders, about FILE_LINES_PER_READ lines each. */
function readBatches(orders: OrderRow[]): OrderRow[][] {
  const batches: OrderRow[][] = [];
  for (let i = 0; i < orders.length; ) {
    const batch: OrderRow[] = [];
    let lines = 0;
    while (i < orders.length && (batch.length === 0 || lines + Number(orders[i].line_count) <= FILE_LINES_PER_READ)) {
      lines += Number(orders[i].line_count);
      batch.push(orders[i++]);
    }
    batches.push(batch);
  }
  return batches;
}

/** The lines of a batch of orders, by order and reference, grouped per order id. */
async function linesByOrder(db: Q, batch: OrderRow[]): Promise<Map<number, OrderLineRow[]>> {
  const rows = (await orderLines(db)
    .whereRaw('l.order_id = any(?::bigint[])', [batch.map((o) => Number(o.id))])
    .orderBy([{ column: 'l.order_id' }, { column: 'l.ref' }])) as OrderLineRow[];
  const byOrder = new Map<number, OrderLineRow[]>();
  for (const r of rows) {
    const list = byOrder.get(Number(r.order_id));
    if (list) list.push(r);
    else byOrder.set(Number(r.order_id), [r]);
  }
  return byOrder;
}

/** Writes one document through a temporary file and a rename, so a reader never sees half a file. */
function writeAtomically(file: string, msg: Pain001Message): void {
  const tmp = tempPathFor(file);
  try {
    writePain001File(tmp, msg, 0o600);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  faultPoint('orders.file-written'); // the temporary file written, not yet renamed
  renameSync(tmp, file);
}

/**
 * Writes the pain.001 of each order to `outDir` as payment-order_<year>-<number>.xml, mode 0600
 * (the files carry personal data), through a temporary file and a rename so a reader never sees
 * half a file. Rewriting gives the same bytes. Returns the paths in order-number order. The lines
 * are read for several orders at once (bounded), not one query per order, one read ahead: the
 * next read runs in the database while this one's documents are built and written.
 */
export async function writeOrderFiles(db: Q, orderIds: number[], outDir: string, requisites?: RequisitesInForce): Promise<string[]> {
  if (orderIds.length === 0) return [];
  const site = requisites ?? (await requireDocumentRequisites(db, ORDER_FILES, WRITE_LATER));
  const orders = (await orderHeaders(db)
    .whereRaw('o.id = any(?::bigint[])', [orderIds])
    .orderBy([{ column: 'o.year' }, { column: 'o.number' }])) as OrderRow[];
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  // An order already written keeps the requisites of its first write (the same bytes again);
  // one written now for the first time with real requisites is pinned to them.
  const pins = new Map<number, number>(
    ((await db('payment_order_file_requisites').whereIn('order_id', orderIds).select('order_id', 'requisites_version')) as { order_id: number; requisites_version: number }[]).map(
      (p) => [Number(p.order_id), Number(p.requisites_version)],
    ),
  );
  const payers = new Map<number, RequisitesInForce['requisites']['state_corporation']>();
  for (const v of new Set(pins.values())) payers.set(v, (await requisitesVersion(db, v)).requisites.state_corporation);
  const payerOf = (o: OrderRow) => payers.get(pins.get(Number(o.id)) ?? -1) ?? site.requisites.state_corporation;
  const knp = new Map<string, string>();
  for (const kind of new Set(orders.map((o) => o.kind))) knp.set(kind, await orderKnp(db, kind));
  const batches = readBatches(orders);
  const readAhead = (batch: OrderRow[]) => {
    const read = linesByOrder(db, batch);
    read.catch(() => {}); // awaited below; a failure while the previous batch is written is not lost
    return read;
  };
  const files: string[] = [];
  let next = readAhead(batches[0]);
  for (let b = 0; b < batches.length; b++) {
    const byOrder = await next;
    if (b + 1 < batches.length) next = readAhead(batches[b + 1]);
    for (const o of batches[b]) {
      const file = path.join(outDir, orderFileName(o.year, o.number));
      writeAtomically(file, pain001Of(o, byOrder.get(Number(o.id)) ?? [], payerOf(o), knp.get(o.kind)!, site.sample && !pins.has(Number(o.id))));
      files.push(file);
    }
  }
  removeStaleTemps(...files);
  if (site.version !== null) {
    const fresh = orders.filter((o) => !pins.has(Number(o.id))).map((o) => ({ order_id: Number(o.id), requisites_version: site.version }));
    if (fresh.length > 0) await db('payment_order_file_requisites').insert(fresh).onConflict('order_id').ignore();
  }
  return files;
}

/**
 * Checks, inside the transaction of the step that issues or approves the orders and before it
 * commits, that the pain.001 of every order can be built from the rows just written (issue 13.1):
 * every check of the writer runs on the same message the file will carry (names and purposes are
 * fitted, not refused: see pipeline/iso20022/pain001-writer.ts). A value no file can carry is an
 * Iso20022FormatError (exit 2) and the step rolls back: nothing is committed whose file could
 * not be written. The lines are read in bounded batches of whole orders, as writeOrderFiles does.
 */
export async function checkOrderFiles(trx: Q, orderIds: number[]): Promise<void> {
  if (orderIds.length === 0) return;
  const site = await requisitesInForce(trx);
  const orders = (await orderHeaders(trx)
    .whereRaw('o.id = any(?::bigint[])', [orderIds])
    .orderBy([{ column: 'o.year' }, { column: 'o.number' }])) as OrderRow[];
  const knp = new Map<string, string>();
  for (const kind of new Set(orders.map((o) => o.kind))) knp.set(kind, await orderKnp(trx, kind));
  for (const batch of readBatches(orders)) {
    const byOrder = await linesByOrder(trx, batch);
    for (const o of batch) {
      checkPain001(pain001Of(o, byOrder.get(Number(o.id)) ?? [], site.requisites.state_corporation, knp.get(o.kind)!, site.sample));
    }
  }
}

/** What the files are, for the refusal with sample requisites. */
const ORDER_FILES = 'Файлы pain.001 платёжных поручений';
const WRITE_LATER = 'запишите файлы выписанных поручений: payouts orders export --date ДАТА';

/** The files a step wrote for its orders, or why none were written although orders were issued. */
export interface RunOrderFiles {
  files: string[];
  /** The Russian refusal when the requisites in force are samples and samples are not allowed. */
  refused: string | null;
}

/**
 * Writes the files of committed orders and never throws for a file that cannot be written: the
 * orders are committed, so the caller exits 0 and lists what is still to be written (and that
 * `payouts orders export` writes it). A fault point `committed` sits before the first file.
 */
export async function writeCommittedOrderFiles(db: Q, orderIds: number[], outDir: string, committed: string): Promise<FilesOutcome> {
  try {
    faultPoint(committed); // committed, the pain.001 files not yet written
    if (orderIds.length === 0) return { files: [], pending: [], error: null, refused: null };
    // With sample requisites where samples are not allowed no file is written: the orders stay
    // committed and `refused` says how to write them later.
    const site = await documentRequisites(db, ORDER_FILES, WRITE_LATER);
    if (!site.ok) return { files: [], pending: [], error: null, refused: site.refusal };
    return { files: await writeOrderFiles(db, orderIds, outDir, site), pending: [], error: null, refused: null };
  } catch (err) {
    const orders = (await db('payment_orders').whereRaw('id = any(?::bigint[])', [orderIds]).orderBy([{ column: 'year' }, { column: 'number' }])
      .select('year', 'number')) as { year: number; number: number }[];
    const pending = orders.map((o) => path.join(outDir, orderFileName(Number(o.year), Number(o.number))));
    return { files: [], pending, error: (err as Error).message, refused: null };
  }
}

/**
 * After a step that issues orders has committed: the files of the approved orders of kind `kind`
 * its run issued (none for a dry run, the same files again for a run already done; none for
 * orders that wait for approval). `committed` names the fault point between the commit and the
 * files.
 */
export async function writeRunOrderFiles(
  db: Q,
  outcome: StepOutcome<unknown>,
  kind: OrderKind,
  outDir: string | undefined,
  committed: string,
): Promise<FilesOutcome> {
  if (outcome.status === 'dry-run') return { files: [], pending: [], error: null, refused: null };
  const ids = (await db('payment_orders as o').where({ 'o.run_id': outcome.runId, 'o.kind': kind }).whereRaw(APPROVED_SQL).select('o.id')).map(
    (r: { id: number | string }) => Number(r.id),
  );
  return writeCommittedOrderFiles(db, ids, outDir ?? DEFAULT_ORDERS_DIR, committed);
}
