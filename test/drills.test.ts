// Failure drills, the short set (issue 7.3; the full set is `npm run drills`): on the drill
// scenario (fixtures/drills), CLI processes killed with SIGKILL inside imports and steps, a step
// whose database connection is cut while it holds its transaction, and steps run by two
// processes at once. Every report and pain.001 file ends as in a clean run; no demand row or
// return is paid twice; order numbers are gapless; the ledger balances. See
// test/support/drills/runner.ts for what each drill checks.
import { describe, expect, it } from 'vitest';
import { cleanBaseline, runDrills, SHORT_PLAN } from './support/drills/runner.ts';
import { postgresAvailable, servicesRequired } from './support/services.ts';

const pgUp = await postgresAvailable();
if (!pgUp) {
  if (servicesRequired) throw new Error('REQUIRE_SERVICES=1 but PostgreSQL is not reachable');
  console.warn('[skip] test/drills.test.ts: the drills share a database between processes and cut connections, which needs a PostgreSQL server.');
}

describe.skipIf(!pgUp)('failure drills (short set)', () => {
  it('crashes, a cut connection and concurrent runs leave exactly what a clean run leaves', async () => {
    // The clean run, held to the hand-checked figures of fixtures/drills/README.md.
    const baseline = await cleanBaseline();
    type Demands = { demands: { mio_bin: string; amount: string }[] };
    type Orders = { orders: { number: number; total: string; lines: { kind: string }[] }[] };
    const demands = (m: string) => (baseline.reports[`demand ${m}`] as Demands).demands.map((d) => [d.mio_bin, d.amount]);
    // 2025-02: Astana 81 091.58 + 49 000.00 + 94 392.32 + 70 794.24; Almaty 117 046.47 + 53 900.16 + 85 811.20.
    expect(demands('2025-02')).toEqual([
      ['090440003212', '295278.14'],
      ['101140007846', '256757.83'],
    ]);
    // 2025-03: Astana 160 h × 536.32 − 10 % ОПВ (exempt from ОСМС); Almaty 37 756.93 + 66 074.62 + 48 268.80.
    expect(demands('2025-03')).toEqual([
      ['090440003212', '77230.08'],
      ['101140007846', '152100.35'],
    ]);
    const orders = ['2025-02', '2025-03'].flatMap((m) =>
      (baseline.reports[`payment-orders ${m}`] as Orders).orders.map((o) => [o.number, o.total, o.lines.map((l) => l.kind).join('+')]),
    );
    expect(orders).toEqual([
      [1, '49000.00', 'payout'],
      [2, '175483.90', 'payout+payout'],
      [3, '70794.24', 'payout'],
      [4, '117046.47', 'payout'],
      [5, '85811.20', 'payout'],
      [6, '53900.16', 'payout'],
      [7, '81091.58', 'repayment'],
      [8, '77230.08', 'payout'],
      [9, '48268.80', 'payout'],
      [10, '117046.47', 'to_mio'],
    ]);
    expect(Object.keys(baseline.files)).toHaveLength(10);

    const report = await runDrills(SHORT_PLAN, { baseline });
    expect(report.results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`)).toEqual([]);
    expect(report.results.map((r) => r.name)).toEqual([
      'crash at import.acts.chunk in «import acts acts-2025-01.csv»',
      'two concurrent runs of «import acts acts-2025-01.csv»: one effect',
      'drop at form-demand.after-demands in «form-demand 2025-02»',
      're-run of «form-demand 2025-02» after its drills',
      'crash at funding.transfer-applied in «import funding funding-2025-02-18.csv»',
      'two concurrent runs of «import funding funding-2025-02-18.csv»: one effect',
      'crash at orders.half-written in «pay 2025-02-18»',
      'two concurrent runs of «pay 2025-02-18»: one effect',
      'crash at pay.committed in «pay 2025-02-19»',
      're-run of «pay 2025-02-19» after its drills',
      'crash at orders.approved in «approve 2025-02-19»',
      're-run of «approve 2025-02-19» after its drills',
      'every report equals the clean run',
      'every pain.001 file equals the clean run',
      'no line paid twice, gapless order numbers, balanced ledger',
    ]);
  }, 240_000);
});
