// The chain of reconciliation acts (DOMAIN.md §5): one closing per reporting period M records
// the act's date, its window (25th of M, 25th of M+1] and the last ledger entry it could count
// (the high-water mark), so a fact recorded later but dated in the closed window is counted by
// the next act and listed there as late; an act already built never changes. Signing is
// recorded as append-only events: ГК's signature and the МИО's two signed paper copies, one of
// each per act. And the demand request's own date (DOMAIN.md §3: `request_on`, the formation
// date when it is a working day, else the next one), from which the funding is due.
import type { Knex } from 'knex';
import { exec } from './exec.ts';

export async function up(knex: Knex): Promise<void> {
  await exec(knex, `
create table reconciliation_closings (
  month char(7) primary key check (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
  act_date date not null,
  window_after date not null,
  window_through date not null,
  ledger_high_water bigint not null check (ledger_high_water >= 0),
  run_id bigint not null unique references step_runs(id),
  check (window_after < window_through and act_date <= window_through and act_date > window_after)
);
create table reconciliation_signatures (
  id bigserial primary key,
  month char(7) not null references reconciliation_closings(month),
  mio_bin char(12) not null references mios(mio_bin),
  kind text not null check (kind in ('signed','copies_received')),
  event_date date not null,
  operator text not null,
  recorded_as_of date not null,
  recorded_at timestamptz not null default now(),
  unique (month, mio_bin, kind)
);
alter table demands add column request_on date;
alter table demands add constraint demands_request_on check (request_on is null or request_on >= formed_on);
`);
}

export async function down(knex: Knex): Promise<void> {
  await exec(knex, `
alter table demands drop column request_on;
drop table reconciliation_signatures;
drop table reconciliation_closings;
`);
}
