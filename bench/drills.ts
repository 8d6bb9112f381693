// `npm run drills`: the full failure-drill set by hand (issue 7.3 and 7.4), one line per drill,
// PASS or FAIL, exit 1 if any failed. Needs PostgreSQL (TEST_PG_ADMIN_URL, default
// postgres://postgres@127.0.0.1:5432/postgres): every run gets fresh databases and drops them.
//
//   npm run drills                       every fault point, every step twice at once, cut
//                                        connections, the bad-input corpus, the 200 MB file
//   npm run drills -- --short            the short set `npm test` runs
//   npm run drills -- --big-mb 50        another size for the big file; --no-big-file to skip it
//   npm run drills -- --only pay         only the drills whose step or point contains "pay"
import { rmSync } from 'node:fs';
import { connect } from '../pipeline/kernel/db.ts';
import { migrate } from '../pipeline/kernel/migrate.ts';
import { createPostgresDatabase } from '../test/support/db.ts';
import { BASE_FILE_MB, bigFileDrill } from '../test/support/drills/bigfile.ts';
import { exportDrill } from '../test/support/drills/export.ts';
import { buildCorpusWorld, corpusCopy, runCorpus } from '../test/support/drills/corpus.ts';
import { FULL_PLAN, runDrills, SHORT_PLAN, type DrillResult } from '../test/support/drills/runner.ts';
import { PG_ADMIN_URL, postgresAvailable } from '../test/support/services.ts';

// The drills run a synthetic world on the sample requisites of reference/, as the tests do
// (vitest.config.ts): allowed explicitly, inherited by the CLIs they spawn.
process.env.PAYOUTS_ALLOW_SAMPLE_REQUISITES = '1';

interface Options {
  short: boolean;
  bigMb: number | null;
  only: string | null;
}

function options(argv: string[]): Options {
  const o: Options = { short: false, bigMb: 200, only: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--short') {
      o.short = true;
      if (!argv.includes('--big-mb')) o.bigMb = 10;
    } else if (a === '--no-big-file') o.bigMb = null;
    else if (a === '--big-mb') o.bigMb = Number(argv[++i]);
    else if (a === '--only') o.only = argv[++i];
    else if (a === '--help' || a === '-h') {
      console.log('npm run drills [-- --short] [--big-mb N | --no-big-file] [--only TEXT]');
      process.exit(0);
    } else {
      console.error(`drills: unknown option ${a}`);
      process.exit(2);
    }
  }
  if (o.bigMb !== null && !(o.bigMb > 0)) {
    console.error('drills: --big-mb needs a positive number of megabytes');
    process.exit(2);
  }
  return o;
}

const failures: DrillResult[] = [];
let count = 0;
function print(r: DrillResult): void {
  count++;
  if (!r.ok) failures.push(r);
  const secs = (r.ms / 1000).toFixed(1);
  console.log(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name}  (${secs} s)${r.ok ? '' : `\n      ${r.detail.replace(/\n/g, '\n      ')}`}`);
}

async function main(): Promise<number> {
  const o = options(process.argv.slice(2));
  if (!(await postgresAvailable())) {
    console.error(`drills: PostgreSQL is not reachable at ${PG_ADMIN_URL}; the drills need a server (processes share a database).`);
    return 2;
  }
  const started = Date.now();
  const base = o.short ? SHORT_PLAN : FULL_PLAN;
  const plan = o.only
    ? {
        ...base,
        drills: base.drills.filter((d) => d.step.includes(o.only!) || d.point.includes(o.only!)),
        concurrent: base.concurrent.filter((s) => s.includes(o.only!)),
      }
    : base;
  console.log(
    `Failure drills (${plan.name}): ${plan.drills.length} drills at ${new Set(plan.drills.map((d) => d.point.replace(/#\d+$/, ''))).size} distinct points, ` +
      `${plan.concurrent.length} steps run twice at once`,
  );
  await runDrills(plan, { onResult: print });

  console.log('\nFiles after commit');
  print(await exportDrill());

  console.log('\nBad-input corpus (fixtures/bad/manifest.json)');
  const t0 = Date.now();
  const created = await createPostgresDatabase();
  const db = connect({ url: created.url });
  const dir = corpusCopy();
  try {
    await migrate(db);
    await buildCorpusWorld(db);
    for (const r of await runCorpus(db, dir)) print({ ...r, ms: 0 });
  } finally {
    await db.destroy();
    await created.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  if (o.bigMb !== null) {
    console.log(`\nBig file (${o.bigMb} MB, generated in a temporary folder)`);
    const t1 = Date.now();
    const r = await bigFileDrill(o.bigMb);
    print({
      name: `${r.sizeMb.toFixed(0)} MB acts CSV, ${r.rows} rows: peak RSS ${r.peakRssMb.toFixed(0)} MB (${BASE_FILE_MB} MB file: ${r.basePeakRssMb.toFixed(0)} MB), import ${(r.importMs / 1000).toFixed(0)} s`,
      ok: r.problems.length === 0,
      detail: r.problems.join('; '),
      ms: Date.now() - t1,
    });
  }

  console.log(`\n${count - failures.length} passed, ${failures.length} failed, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  for (const f of failures) console.log(`  FAIL ${f.name}`);
  return failures.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`drills: ${err.stack ?? err.message}`);
    process.exit(1);
  },
);
