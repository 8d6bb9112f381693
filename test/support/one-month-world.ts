// A small world for the queue and runner tests: one МИО, three providers with acts for February
// 2025, lists on 2025-03-14, the demand on 2025-03-15 and a transfer on 2025-03-17 that funds
// every row — so `pay` on 2025-03-18 has three lines to pay. Built with the real steps.
// Figures (2025 hourly rate 536.32): assistant 100 h → G 53 632.00, ОПВ 5 363.20, ОСМС 1 072.64,
// provider sum 47 196.16; entrepreneur 80 h → 42 905.60; legal entity 120 h → 64 358.40.
// Demand = 154 460.16.
import type { Db } from '../../pipeline/kernel/db.ts';
import { buildLists } from '../../pipeline/steps/build-lists/index.ts';
import { formDemand } from '../../pipeline/steps/form-demand/index.ts';
import { fund } from './imports.ts';
import { seedAct, seedMio, seedProvider, type MioSeed } from './world.ts';

export const WORLD = {
  month: '2025-03',
  serviceMonth: '2025-02',
  transferOn: '2025-03-17',
  payOn: '2025-03-18',
  demand: '154460.16',
  providerSums: ['42905.60', '47196.16', '64358.40'],
};

/** The МИО's one transfer: the whole demand, on WORLD.transferOn. */
export function fundDemand(db: Db, mio: Pick<MioSeed, 'mio_bin'>): Promise<void> {
  return fund(db, WORLD.transferOn, [{ mio_bin: mio.mio_bin, pp_no: '501', pp_date: WORLD.transferOn, amount: WORLD.demand }]);
}

/** Master data and acts only (the steps not yet run). */
export async function seedWorld(db: Db): Promise<MioSeed> {
  const mio = await seedMio(db);
  const assistant = await seedProvider(db, { kind: 'assistant' });
  const entrepreneur = await seedProvider(db, { kind: 'entrepreneur' });
  const company = await seedProvider(db, { kind: 'legal_entity' });
  await seedAct(db, { provider: assistant, mio, service_month: WORLD.serviceMonth, hours: '100' });
  await seedAct(db, { provider: entrepreneur, mio, service_month: WORLD.serviceMonth, hours: '80' });
  await seedAct(db, { provider: company, mio, service_month: WORLD.serviceMonth, hours: '120' });
  return mio;
}

/** The world up to a funded demand: lists, demand and the transfer, ready for pay on WORLD.payOn. */
export async function fundedWorld(db: Db): Promise<MioSeed> {
  const mio = await seedWorld(db);
  await buildLists(db, { month: WORLD.month, asOf: `${WORLD.month}-14`, operator: 'test' });
  await formDemand(db, { month: WORLD.month, asOf: `${WORLD.month}-15`, operator: 'test' });
  await fundDemand(db, mio);
  return mio;
}
