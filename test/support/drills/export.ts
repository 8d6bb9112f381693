// The drill «file writing fails after commit → `orders export` completes» (issue 13.1): on the
// one-month world, pay prepares the orders, a second operator approves them through the CLI while
// writing the files fails right after the approval committed (PAYOUTS_FAIL_AT=orders.approved).
// The command must exit 0, keep the approval, say which files are still to be written and how;
// then `payouts orders export` writes them, and a second export gives the same bytes.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { connect } from '../../../pipeline/kernel/db.ts';
import { migrate } from '../../../pipeline/kernel/migrate.ts';
import { pay } from '../../../pipeline/steps/pay/index.ts';
import { APPROVER } from '../approve.ts';
import { cli } from '../cli.ts';
import { createPostgresDatabase } from '../db.ts';
import { tempDir } from '../files.ts';
import { fundedWorld, WORLD } from '../one-month-world.ts';

export interface ExportDrillResult {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

export const EXPORT_DRILL_NAME = 'file writing fails after commit → orders export completes';

export async function exportDrill(): Promise<ExportDrillResult> {
  const started = Date.now();
  const created = await createPostgresDatabase();
  const db = connect({ url: created.url });
  const out = tempDir('payouts-drill-export-');
  const problems: string[] = [];
  try {
    await migrate(db);
    await fundedWorld(db);
    await pay(db, { asOf: WORLD.payOn, operator: 'drill', outDir: out });
    const approve = await cli(['orders', 'approve', '--date', WORLD.payOn, '--out', out], {
      db: created.url,
      asOf: WORLD.payOn,
      operator: APPROVER,
      env: { PAYOUTS_FAIL_AT: 'orders.approved' },
    });
    if (approve.code !== 0) problems.push(`approve with a failed write: exit ${approve.code}, expected 0 (the approval committed): ${approve.stderr}`);
    if (!approve.stdout.includes(`payouts orders export --date ${WORLD.payOn}`)) problems.push(`approve does not say how to write the files: ${approve.stdout}`);
    const approved = await db('payment_order_events').where({ status: 'approved' });
    if (approved.length === 0) problems.push('the approval did not stay committed');
    const before = readdirSync(out).filter((n) => n.endsWith('.xml'));
    if (before.length !== 0) problems.push(`files written although writing failed: ${before.join(', ')}`);
    const exported = await cli(['orders', 'export', '--date', WORLD.payOn, '--out', out], { db: created.url, asOf: WORLD.payOn, operator: APPROVER });
    if (exported.code !== 0) problems.push(`orders export: exit ${exported.code}: ${exported.stderr}`);
    const files = readdirSync(out).filter((n) => n.endsWith('.xml')).sort();
    if (files.length !== approved.length) problems.push(`orders export wrote ${files.length} files for ${approved.length} approved orders`);
    const first = files.map((f) => readFileSync(path.join(out, f), 'utf8'));
    const again = await cli(['orders', 'export', '--date', WORLD.payOn, '--out', out], { db: created.url, asOf: WORLD.payOn, operator: APPROVER });
    if (again.code !== 0 || files.some((f, i) => !existsSync(path.join(out, f)) || readFileSync(path.join(out, f), 'utf8') !== first[i])) {
      problems.push('a second export did not give the same bytes');
    }
  } catch (err) {
    problems.push(`unexpected: ${(err as Error).message}`);
  } finally {
    await db.destroy();
    await created.drop();
  }
  return { name: EXPORT_DRILL_NAME, ok: problems.length === 0, detail: problems.join('; '), ms: Date.now() - started };
}
