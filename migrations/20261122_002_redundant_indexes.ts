// Two indexes that only cost: every insert of an act or a list row paid for an index entry that
// no query uses. list_rows(list_id) is the leading column of the unique (list_id, row_no);
// acts(accepted_on) serves only "accepted on or before the as-of date", which selects nearly
// every act, so the planner scans the table anyway (the selective part is "not yet listed",
// answered by the unique list_rows(act_id)).
import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.raw('drop index if exists list_rows_list');
  await knex.raw('drop index if exists acts_accepted');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('create index if not exists acts_accepted on acts(accepted_on)');
  await knex.raw('create index if not exists list_rows_list on list_rows(list_id)');
}
