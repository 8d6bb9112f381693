// Four eyes (issue 16): `pay` prepares payment orders, a second operator approves them (and the
// bank files are written) or rejects them (their rows are paid again by a later `pay`).
//
// - The order statuses prepared, approved and rejected join payment_order_statuses; an order's
//   events carry the operator (and a rejection its reason). An order is prepared once and decided
//   once (approved or rejected), enforced by two partial unique indexes.
// - Orders issued before this migration were written to the bank as they were issued: they get
//   their 'prepared' and 'approved' events from the run that issued them.
// - A rejected order's lines are marked `rejected` (once: a trigger refuses to clear the mark) and
//   get a 'rejected' line event. The "paid once" indexes count live lines only: a demand row or a
//   return has at most one payment line that is not rejected, so a row is never paid twice, and
//   a rejected row can be paid again.
import type { Knex } from 'knex';
import { exec } from './exec.ts';

export async function up(knex: Knex): Promise<void> {
  await exec(knex, `
insert into payment_order_statuses (status, name) values
  ('prepared', 'Подготовлено: ожидает утверждения вторым сотрудником'),
  ('approved', 'Утверждено: файл для банка разрешён'),
  ('rejected', 'Отклонено: строки будут оплачены заново');
alter table payment_order_events add column operator text, add column reason text not null default '';
create unique index payment_order_events_prepared_once on payment_order_events(order_id) where status = 'prepared';
create unique index payment_order_events_decided_once on payment_order_events(order_id) where status in ('approved', 'rejected');
insert into payment_order_events (order_id, status, event_date, operator)
  select o.id, s.status, o.order_date, r.operator
    from payment_orders o join step_runs r on r.id = o.run_id
    cross join (values ('prepared'), ('approved')) as s(status)
   order by o.id, s.status desc;

alter table payment_lines add column rejected boolean not null default false;
drop index payment_lines_payout_once;
drop index payment_lines_return_once;
create unique index payment_lines_payout_once on payment_lines(demand_row_id) where kind = 'payout' and not rejected;
create unique index payment_lines_return_once on payment_lines(return_id) where kind <> 'payout' and not rejected;
create function payment_lines_rejected_stays() returns trigger language plpgsql as $$ begin if old.rejected and not new.rejected then raise exception 'payment line % was rejected: the mark is never cleared', old.id; end if; return new; end $$;
create trigger payment_lines_rejected_stays before update of rejected on payment_lines for each row execute function payment_lines_rejected_stays();

alter table payment_line_events drop constraint payment_line_events_status_check;
alter table payment_line_events add constraint payment_line_events_status_check check (status in ('issued', 'returned', 'rejected'));
`);
}

export async function down(knex: Knex): Promise<void> {
  await exec(knex, `
alter table payment_line_events drop constraint payment_line_events_status_check;
delete from payment_line_events where status = 'rejected';
alter table payment_line_events add constraint payment_line_events_status_check check (status in ('issued', 'returned'));
drop trigger payment_lines_rejected_stays on payment_lines;
drop function payment_lines_rejected_stays();
drop index payment_lines_payout_once;
drop index payment_lines_return_once;
create unique index payment_lines_payout_once on payment_lines(demand_row_id) where kind = 'payout';
create unique index payment_lines_return_once on payment_lines(return_id) where kind <> 'payout';
alter table payment_lines drop column rejected;
delete from payment_order_events where status in ('prepared', 'approved', 'rejected');
drop index payment_order_events_prepared_once;
drop index payment_order_events_decided_once;
alter table payment_order_events drop column operator, drop column reason;
delete from payment_order_statuses where status in ('prepared', 'approved', 'rejected');
`);
}
