// The big file of the bad-input corpus (issue 7.4): an acts CSV generated at test time (never
// committed), imported by a real `payouts import` process with a 192 MB heap. The import streams:
// its peak memory does not grow with the file, and every row is accounted for. `npm test` uses
// PAYOUTS_BIGFILE_MB (default 10 MB); `npm run drills` the full 200 MB.
import { describe, expect, it } from 'vitest';
import { BASE_FILE_MB, bigFileDrill } from './support/drills/bigfile.ts';
import { postgresAvailable, servicesRequired } from './support/services.ts';

const SIZE_MB = Number(process.env.PAYOUTS_BIGFILE_MB || 10);
const pgUp = await postgresAvailable();
if (!pgUp) {
  if (servicesRequired) throw new Error('REQUIRE_SERVICES=1 but PostgreSQL is not reachable');
  console.warn('[skip] test/bad-input-bigfile.test.ts: the importing process needs a PostgreSQL server.');
}

describe.skipIf(!pgUp)(`a ${SIZE_MB} MB acts file`, () => {
  it('streams through `payouts import` in bounded memory with an exact outcome', async () => {
    const r = await bigFileDrill(SIZE_MB);
    console.info(
      `[bigfile] ${r.sizeMb.toFixed(1)} MB, ${r.rows} rows: peak RSS ${r.peakRssMb.toFixed(0)} MB ` +
        `(${BASE_FILE_MB} MB file: ${r.basePeakRssMb.toFixed(0)} MB), import ${(r.importMs / 1000).toFixed(1)} s`,
    );
    expect(r.problems).toEqual([]);
    expect(r.sizeMb).toBeGreaterThanOrEqual(SIZE_MB);
  }, 600_000);
});
