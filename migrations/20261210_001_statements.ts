// Bank statements of ГК's account (`payouts import statement`): the statement as the bank gave
// it, every entry with what it was matched to (or why not), and the events of payment orders —
// 'debited' when a statement shows the bank took the money. Append-only: a statement and its
// entries are written once, with their matches; an order's status is its latest event.
//
// The statuses of payment-order events are rows of payment_order_statuses, so a new status
// (four eyes: prepared, approved, rejected) is an insert in a later migration, not a new check.
import type { Knex } from 'knex';
import { exec } from './exec.ts';

export async function up(knex: Knex): Promise<void> {
  await exec(knex, `
create table statements (
  id bigserial primary key,
  format text not null check (format in ('camt053','mt940','onec')),
  account_iban char(20) not null,
  currency char(3) not null check (currency = 'KZT'),
  -- The bank's number of the statement; '' where the format has none (1CClientBankExchange).
  statement_no text not null,
  -- The statement's date: the date of its closing balance. With the period and the number it is
  -- the identity: banks number statements anew every year.
  statement_date date not null,
  period_from date not null,
  period_to date not null,
  opening numeric(18,2) not null,
  credits numeric(18,2) not null check (credits >= 0),
  debits numeric(18,2) not null check (debits >= 0),
  closing numeric(18,2) not null,
  entry_count integer not null check (entry_count >= 0),
  servicer_bik text not null default '',
  -- Which mapping of reference/statement-mappings.json read the entries, e.g. 'camt053:default'.
  mapping text not null,
  file_name text not null,
  file_sha256 char(64) not null,
  -- sha256 of what the statement says (not of the bytes): the same statement exported again is a duplicate.
  content_sha256 char(64) not null,
  batch_id bigint not null references import_batches(id),
  check (period_to >= period_from and statement_date >= period_from),
  check (opening + credits - debits = closing),
  unique (account_iban, period_from, period_to, statement_no, statement_date)
);

create table statement_entries (
  id bigserial primary key,
  statement_id bigint not null references statements(id),
  seq integer not null check (seq > 0),
  direction text not null check (direction in ('credit','debit')),
  amount numeric(18,2) not null check (amount > 0),
  booking_date date not null,
  value_date date,
  reversal boolean not null default false,
  -- What the mapping read (empty string when the entry does not say).
  instruction_id text not null default '',
  end_to_end_id text not null default '',
  message_id text not null default '',
  document_number text not null default '',
  document_date date,
  counterparty_iban text not null default '',
  counterparty_name text not null default '',
  counterparty_id text not null default '',
  purpose text not null default '',
  reason_code text not null default '',
  reason_text text not null default '',
  bank_reference text not null default '',
  bank_tx_code text not null default '',
  -- Every field of the entry as the file states it.
  fields jsonb not null,
  match_kind text check (match_kind in ('transfer','order_debit','return')),
  transfer_id bigint references transfers(id),
  payment_order_id bigint references payment_orders(id),
  return_id bigint references returns(id),
  unmatched_code text check (unmatched_code in ('bank_fee','no_match','ambiguous','refused','already_matched','batch','reversal')),
  unmatched_reason text,
  unique (statement_id, seq),
  check ((match_kind is null) = (unmatched_code is not null)),
  check ((unmatched_code is null) = (unmatched_reason is null)),
  check ((coalesce(match_kind, '') = 'transfer') = (transfer_id is not null)),
  check ((coalesce(match_kind, '') = 'order_debit') = (payment_order_id is not null)),
  check ((coalesce(match_kind, '') = 'return') = (return_id is not null))
);
-- One entry per fact: a transfer, a return or an order is confirmed by one bank movement only.
create unique index statement_entries_transfer_once on statement_entries(transfer_id) where transfer_id is not null;
create unique index statement_entries_order_once on statement_entries(payment_order_id) where payment_order_id is not null;
create unique index statement_entries_return_once on statement_entries(return_id) where return_id is not null;
create index statement_entries_booking on statement_entries(booking_date);

create table payment_order_statuses (
  status text primary key,
  name text not null
);
insert into payment_order_statuses (status, name) values ('debited', 'Списано со счёта Госкорпорации по выписке банка');

create table payment_order_events (
  id bigserial primary key,
  order_id bigint not null references payment_orders(id),
  status text not null references payment_order_statuses(status),
  event_date date not null,
  statement_entry_id bigint references statement_entries(id),
  created_at timestamptz not null default now(),
  check (status <> 'debited' or statement_entry_id is not null)
);
create unique index payment_order_events_debited_once on payment_order_events(order_id) where status = 'debited';
create index payment_order_events_order on payment_order_events(order_id);
`);
}

export async function down(knex: Knex): Promise<void> {
  await exec(knex, `
drop table payment_order_events;
drop table payment_order_statuses;
drop table statement_entries;
drop table statements;
`);
}
