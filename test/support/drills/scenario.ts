// The drill scenario (fixtures/drills/): two payout months of a small world, every command of
// the cycle once, each both as a CLI command line and as the in-process call the CLI makes.
//
//  2025-02-13  banks, МИО, six providers (one de-registered on 2025-01-31), exemptions, January's
//              acts (one act for February, accepted early: held by the February list)
//  2025-02-14  build-lists 2025-02          2025-02-15 (Sat) form-demand 2025-02
//  2025-02-18  transfers: Astana in full, Almaty 150 000.00 (funds one row, 32 953.53 waits); pay
//  2025-02-19  Almaty's remainder 106 757.83 (funds the other two rows exactly); pay
//  2025-02-20  Halyk's pain.002 for order 2: one credit rejected (AC04, account closed), one ACSC
//  2025-02-21  Kaspi's return of order 4 as CSV (AC01, wrong account): never fixed
//  2025-03-03  one provider gives new bank details; pay repays its returned sum
//  2025-03-12  February's acts               2025-03-14 / 15 lists and demand 2025-03
//  2025-03-18  transfers in full; pay (the provider with incorrect details waits)
//  2025-03-25  reconcile / bank-fees 2025-02  2025-03-31 refund-unsent: the unfixed return goes back
//  2025-04-25  reconcile / bank-fees 2025-03, check-deadlines
// The reports of every form for February to April are then the baseline the drills compare with.
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../../pipeline/kernel/db.ts';
import { runImport, type ImportReport } from '../../../pipeline/imports/run-import.ts';
import { buildLists } from '../../../pipeline/steps/build-lists/index.ts';
import { formDemand } from '../../../pipeline/steps/form-demand/index.ts';
import { pay } from '../../../pipeline/steps/pay/index.ts';
import { approveOrders } from '../../../pipeline/orders/approval.ts';
import { APPROVER } from '../approve.ts';
import { refundUnsent } from '../../../pipeline/steps/refund-unsent/index.ts';
import { reconcile } from '../../../pipeline/steps/reconcile/index.ts';
import { computeBankFees } from '../../../pipeline/steps/bank-fees/index.ts';
import { checkDeadlines } from '../../../pipeline/steps/check-deadlines/index.ts';
import { FORMS, reportBuilders } from '../../../reports/registry.ts';
import { REPO, tempDir } from '../files.ts';

export const DRILL_FIXTURES = path.join(REPO, 'fixtures', 'drills');
export const OPERATOR = 'drill';

/** Where one replay of the scenario keeps its input copies and its pain.001 files. */
export interface Workspace {
  dir: string;
  inputs: string;
  orders: string;
}

export function workspace(prefix = 'payouts-drill-'): Workspace {
  const dir = tempDir(prefix);
  const inputs = path.join(dir, 'inputs');
  // Copies, so that nothing a run writes (a rejected-rows file) ever lands in fixtures/.
  cpSync(DRILL_FIXTURES, inputs, { recursive: true });
  return { dir, inputs, orders: path.join(dir, 'payment-orders') };
}

export type StepKind = 'import' | 'step';

export interface DrillStep {
  /** Unique name of the step in the scenario, e.g. `pay@2025-02-18`. */
  id: string;
  kind: StepKind;
  asOf: string;
  /** The command line after the global options (files relative to the workspace's inputs). */
  args(ws: Workspace): string[];
  /** The same command in-process: what the CLI action calls. */
  run(db: Db, ws: Workspace): Promise<StepResult>;
}

export type StepResult = { kind: 'import'; report: ImportReport } | { kind: 'step'; status: string };

function importStep(asOf: string, kind: string, file: string): DrillStep {
  return {
    id: `import ${kind} ${file}`,
    kind: 'import',
    asOf,
    args: (ws) => ['import', kind, path.join(ws.inputs, file)],
    run: async (db, ws) => ({
      kind: 'import',
      report: await runImport(db, { kind, file: path.join(ws.inputs, file), asOf, operator: OPERATOR }),
    }),
  };
}

function monthStep(
  name: 'build-lists' | 'form-demand' | 'reconcile' | 'bank-fees',
  month: string,
  asOf: string,
): DrillStep {
  const fn = { 'build-lists': buildLists, 'form-demand': formDemand, reconcile, 'bank-fees': computeBankFees }[name];
  return {
    id: `${name} ${month}`,
    kind: 'step',
    asOf,
    args: () => ['run', name, '--month', month],
    run: async (db) => ({ kind: 'step', status: (await fn(db, { month, asOf, operator: OPERATOR })).status }),
  };
}

function dateStep(name: 'pay' | 'refund-unsent' | 'check-deadlines', asOf: string): DrillStep {
  const withFiles = name !== 'check-deadlines';
  return {
    id: `${name} ${asOf}`,
    kind: 'step',
    asOf,
    args: (ws) => ['run', name, ...(withFiles ? ['--out', ws.orders] : [])],
    run: async (db, ws) => {
      const o =
        name === 'pay'
          ? await pay(db, { asOf, operator: OPERATOR, outDir: ws.orders })
          : name === 'refund-unsent'
            ? await refundUnsent(db, { asOf, operator: OPERATOR, outDir: ws.orders })
            : await checkDeadlines(db, { asOf, operator: OPERATOR });
      return { kind: 'step', status: o.status };
    },
  };
}

/** Four eyes: a second operator approves the orders pay prepared that day; the files are written. */
function approveStep(asOf: string): DrillStep {
  return {
    id: `approve ${asOf}`,
    kind: 'step',
    asOf,
    args: (ws) => ['orders', 'approve', '--date', asOf, '--out', ws.orders, '--operator', APPROVER],
    run: async (db, ws) => {
      const r = await approveOrders(db, { date: asOf, asOf, operator: APPROVER, outDir: ws.orders });
      return { kind: 'step', status: r.approved.length > 0 ? 'done' : 'already-done' };
    },
  };
}

export const SCENARIO: DrillStep[] = [
  importStep('2025-02-13', 'banks', 'banks.csv'),
  importStep('2025-02-13', 'mios', 'mios.csv'),
  importStep('2025-02-13', 'providers', 'providers.csv'),
  importStep('2025-02-13', 'exemptions', 'exemptions.csv'),
  importStep('2025-02-13', 'acts', 'acts-2025-01.csv'),
  monthStep('build-lists', '2025-02', '2025-02-14'),
  monthStep('form-demand', '2025-02', '2025-02-15'),
  importStep('2025-02-18', 'funding', 'funding-2025-02-18.csv'),
  dateStep('pay', '2025-02-18'),
  approveStep('2025-02-18'),
  importStep('2025-02-19', 'funding', 'funding-2025-02-19.csv'),
  dateStep('pay', '2025-02-19'),
  approveStep('2025-02-19'),
  importStep('2025-02-20', 'returns', 'returns-2025-02-20.pain002.xml'),
  importStep('2025-02-21', 'returns', 'returns-2025-02-21.csv'),
  importStep('2025-03-03', 'bank-details', 'bank-details-2025-03-03.csv'),
  dateStep('pay', '2025-03-03'),
  approveStep('2025-03-03'),
  importStep('2025-03-12', 'acts', 'acts-2025-02.csv'),
  monthStep('build-lists', '2025-03', '2025-03-14'),
  monthStep('form-demand', '2025-03', '2025-03-15'),
  importStep('2025-03-18', 'funding', 'funding-2025-03-18.csv'),
  dateStep('pay', '2025-03-18'),
  approveStep('2025-03-18'),
  monthStep('reconcile', '2025-02', '2025-03-25'),
  monthStep('bank-fees', '2025-02', '2025-03-25'),
  dateStep('refund-unsent', '2025-03-31'),
  monthStep('reconcile', '2025-03', '2025-04-25'),
  monthStep('bank-fees', '2025-03', '2025-04-25'),
  dateStep('check-deadlines', '2025-04-25'),
];

export function stepById(id: string): DrillStep {
  const s = SCENARIO.find((x) => x.id === id);
  if (!s) throw new Error(`no drill step «${id}»; steps: ${SCENARIO.map((x) => x.id).join(' | ')}`);
  return s;
}

export const REPORT_MONTHS = ['2025-02', '2025-03', '2025-04'];
export const REPORT_AS_OF = '2025-04-25';

/** Every form of INTERFACE.md as JSON (the builders `payouts report … --format json` prints). */
export async function allReports(db: Db): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const form of FORMS) {
    const builder = reportBuilders[form];
    if (form === 'deadlines' || form === 'ledger') {
      out[form] = await builder(db, { asOf: REPORT_AS_OF });
      continue;
    }
    for (const month of REPORT_MONTHS) out[`${form} ${month}`] = await builder(db, { month, asOf: REPORT_AS_OF });
  }
  return out;
}

/**
 * The pain.001 files a replay wrote, by name. The message's creation time (GrpHdr/CreDtTm, the
 * wall-clock time its run was recorded) is blanked: it is the one field a re-run after a crash
 * may legitimately change.
 */
export function orderFiles(ws: Workspace): Record<string, string> {
  let names: string[];
  try {
    names = readdirSync(ws.orders);
  } catch {
    return {};
  }
  return Object.fromEntries(
    names
      .filter((n) => n.endsWith('.xml'))
      .sort()
      .map((n) => [n, readFileSync(path.join(ws.orders, n), 'utf8').replace(/<CreDtTm>[^<]*<\/CreDtTm>/g, '<CreDtTm/>')]),
  );
}
