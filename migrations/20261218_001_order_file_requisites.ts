// A payment order's bank file is written with the site requisites of its first real write, and
// with those again on every later export: importing new requisites never changes the payer of a
// file a bank may already hold under the same message id. An order first written with the samples
// (demo, tests) is not pinned.
import type { Knex } from 'knex';
import { exec } from './exec.ts';

export async function up(knex: Knex): Promise<void> {
  await exec(knex, `
create table payment_order_file_requisites (
  order_id bigint primary key references payment_orders(id),
  requisites_version integer not null references site_requisites(version),
  written_at timestamptz not null default now()
);
create function payment_order_file_requisites_append_only() returns trigger language plpgsql as $$
begin raise exception 'payment_order_file_requisites is append-only: an order''s file keeps its first requisites'; end $$;
create trigger payment_order_file_requisites_append_only before update or delete on payment_order_file_requisites
  for each row execute function payment_order_file_requisites_append_only();
`);
}

export async function down(knex: Knex): Promise<void> {
  await exec(knex, `
drop table payment_order_file_requisites;
drop function payment_order_file_requisites_append_only();
`);
}
