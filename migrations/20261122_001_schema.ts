// The whole schema of the monthly cycle. Natural keys are unique constraints; amounts are
// numeric(18,2) with CHECKs; money history is append-only (status changes are event rows).
import type { Knex } from 'knex';
import { exec } from './exec.ts';

const MONTH_CHECK = (col: string) => `${col} ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'`;
const ID12_CHECK = (col: string) => `${col} ~ '^[0-9]{12}$'`;

export async function up(knex: Knex): Promise<void> {
  await exec(knex, `
-- Reference data (loaded from reference/*.json by db migrate)
create table ref_years (
  year integer primary key,
  mrp numeric(18,2) not null check (mrp > 0),
  mzp numeric(18,2) not null check (mzp > 0),
  hourly_rate_percent numeric(9,4) not null,
  opv_percent numeric(9,4) not null,
  osms_percent numeric(9,4) not null,
  so_percent numeric(9,4) not null,
  opv_cap_mzp numeric(9,2) not null,
  osms_cap_mzp numeric(9,2) not null,
  so_cap_mzp numeric(9,2) not null,
  rounding text not null check (rounding in ('tiyn','tenge')),
  withholding_kinds text[] not null
);
create table ref_calendar_years (year integer primary key);
create table ref_calendar_days (
  day date primary key,
  kind text not null check (kind in ('off','work'))
);
create table ref_knp (
  code char(3) primary key,
  role text not null unique,
  name text not null
);

-- Import batches and the rows they refused
create table import_batches (
  id bigserial primary key,
  kind text not null,
  file_name text not null,
  file_sha256 char(64) not null,
  operator text not null,
  as_of date not null,
  created_at timestamptz not null default now(),
  total_rows integer not null default 0,
  accepted integer not null default 0,
  duplicates integer not null default 0,
  rejected integer not null default 0,
  strict boolean not null default false,
  status text not null check (status in ('done','partial','refused'))
);
create table rejected_rows (
  id bigserial primary key,
  batch_id bigint not null references import_batches(id),
  row_no integer not null,
  field text,
  reason text not null,
  raw jsonb not null
);
create index rejected_rows_batch on rejected_rows(batch_id);

-- Master data
create table mios (
  mio_bin char(12) primary key check (${ID12_CHECK('mio_bin')}),
  name text not null,
  oblast text not null,
  bik char(8) not null,
  iban char(20) not null,
  batch_id bigint references import_batches(id)
);
create table banks (
  bik char(8) primary key,
  name text not null,
  fee_per_payment numeric(18,2) check (fee_per_payment >= 0),
  fee_percent numeric(9,4) check (fee_percent >= 0),
  fee_min numeric(18,2) check (fee_min >= 0),
  fee_max numeric(18,2) check (fee_max >= 0),
  batch_id bigint references import_batches(id),
  check (fee_min is null or fee_max is null or fee_min <= fee_max)
);
create table providers (
  provider_id char(12) primary key check (${ID12_CHECK('provider_id')}),
  kind text not null check (kind in ('assistant','entrepreneur','legal_entity')),
  name text not null,
  registered_on date not null,
  deregistered_on date,
  deregistration_reason text,
  batch_id bigint references import_batches(id),
  check (deregistered_on is null or deregistered_on >= registered_on)
);
-- Bank details are versions: a change is a new row, never an update.
create table bank_details (
  id bigserial primary key,
  provider_id char(12) not null references providers(provider_id),
  bik char(8) not null references banks(bik),
  iban char(20) not null,
  changed_on date not null,
  source text not null check (source in ('providers','bank-details')),
  batch_id bigint references import_batches(id),
  created_at timestamptz not null default now(),
  unique (provider_id, changed_on)
);
create table acts (
  id bigserial primary key,
  provider_id char(12) not null references providers(provider_id),
  act_no text not null,
  order_no text not null,
  decision_no text not null,
  mio_bin char(12) not null references mios(mio_bin),
  oblast text not null,
  region text not null,
  pwd_iin char(12) not null check (${ID12_CHECK('pwd_iin')}),
  pwd_name text not null,
  assistant_iin char(12) not null check (${ID12_CHECK('assistant_iin')}),
  assistant_name text not null,
  service_month char(7) not null check (${MONTH_CHECK('service_month')}),
  hours numeric(8,2) not null check (hours > 0),
  claimed_amount numeric(18,2) check (claimed_amount >= 0),
  received_on date not null,
  accepted_on date not null,
  batch_id bigint references import_batches(id),
  unique (provider_id, act_no),
  unique (provider_id, pwd_iin, assistant_iin, service_month)
);
create index acts_accepted on acts(accepted_on);
create table exemptions (
  id bigserial primary key,
  iin char(12) not null check (${ID12_CHECK('iin')}),
  opv_exempt boolean not null,
  osms_exempt boolean not null,
  so_exempt boolean not null,
  valid_from date not null,
  valid_to date,
  reason text not null,
  batch_id bigint references import_batches(id),
  unique (iin, valid_from),
  check (valid_to is null or valid_to >= valid_from)
);

-- Step runs: one per (step, key); the unique key makes a second run a no-op
create table step_runs (
  id bigserial primary key,
  step text not null,
  run_key text not null,
  input_hash char(64) not null,
  operator text not null,
  as_of date not null,
  created_at timestamptz not null default now(),
  summary jsonb not null default '{}'::jsonb,
  unique (step, run_key)
);

-- Lists (Appendix 1) per МИО and list month, and their rows (one per act, ever)
create table lists (
  id bigserial primary key,
  month char(7) not null check (${MONTH_CHECK('month')}),
  mio_bin char(12) not null references mios(mio_bin),
  built_on date not null,
  run_id bigint not null references step_runs(id),
  unique (month, mio_bin)
);
create table list_rows (
  id bigserial primary key,
  list_id bigint not null references lists(id),
  row_no integer not null,
  act_id bigint not null unique references acts(id),
  mio_bin char(12) not null references mios(mio_bin),
  provider_id char(12) not null references providers(provider_id),
  provider_kind text not null,
  service_month char(7) not null,
  hours numeric(8,2) not null,
  hourly_rate numeric(18,2) not null check (hourly_rate > 0),
  full_guaranteed numeric(18,2) not null check (full_guaranteed >= 0),
  guaranteed numeric(18,2) not null check (guaranteed >= 0 and guaranteed <= full_guaranteed),
  co_payment numeric(18,2) not null check (co_payment >= 0),
  provider_sum numeric(18,2) not null check (provider_sum >= 0),
  opv numeric(18,2) not null check (opv >= 0),
  osms numeric(18,2) not null check (osms >= 0),
  so numeric(18,2) not null check (so >= 0),
  opv_exempt boolean not null,
  osms_exempt boolean not null,
  so_exempt boolean not null,
  bank_detail_id bigint not null references bank_details(id),
  unique (list_id, row_no),
  check (guaranteed = provider_sum + opv + osms)
);
create index list_rows_list on list_rows(list_id);
-- Accepted acts a list did not take, with the reason
create table list_holds (
  id bigserial primary key,
  month char(7) not null,
  act_id bigint not null references acts(id),
  reason text not null,
  run_id bigint not null references step_runs(id),
  unique (month, act_id)
);

-- Demands (потребность) per МИО and month, and what they demand
create table demands (
  id bigserial primary key,
  month char(7) not null check (${MONTH_CHECK('month')}),
  mio_bin char(12) not null references mios(mio_bin),
  formed_on date not null,
  request_due date not null,
  funding_due date not null,
  amount numeric(18,2) not null check (amount > 0),
  row_count integer not null check (row_count > 0),
  run_id bigint not null references step_runs(id),
  unique (month, mio_bin)
);
-- A demand row is a list row's provider sum, or a sent-back return demanded again.
create table demand_rows (
  id bigserial primary key,
  demand_id bigint not null references demands(id),
  list_row_id bigint not null references list_rows(id),
  return_id bigint,
  service_month char(7) not null,
  amount numeric(18,2) not null check (amount > 0)
);
create unique index demand_rows_list_once on demand_rows(list_row_id) where return_id is null;
create unique index demand_rows_return_once on demand_rows(return_id) where return_id is not null;
create index demand_rows_demand on demand_rows(demand_id);

-- Funding transfers from a МИО and the whole demand rows they fund
create table transfers (
  id bigserial primary key,
  mio_bin char(12) not null references mios(mio_bin),
  pp_no text not null,
  pp_date date not null,
  amount numeric(18,2) not null check (amount > 0),
  batch_id bigint references import_batches(id),
  created_at timestamptz not null default now(),
  unique (mio_bin, pp_no, pp_date)
);
create table allocations (
  id bigserial primary key,
  demand_row_id bigint not null unique references demand_rows(id),
  transfer_id bigint not null references transfers(id),
  funded_on date not null,
  amount numeric(18,2) not null check (amount > 0)
);

-- Payment orders: gapless numbers per year, one per (МИО, bank, date, kind)
create table payment_orders (
  id bigserial primary key,
  year integer not null,
  number integer not null check (number > 0),
  order_date date not null,
  mio_bin char(12) not null references mios(mio_bin),
  bik char(8) not null,
  kind text not null check (kind in ('provider','to_mio')),
  total numeric(18,2) not null check (total >= 0),
  line_count integer not null check (line_count >= 0),
  run_id bigint not null references step_runs(id),
  unique (year, number),
  unique (mio_bin, bik, order_date, kind)
);
create table payment_lines (
  id bigserial primary key,
  order_id bigint not null references payment_orders(id),
  ref text not null unique,
  kind text not null check (kind in ('payout','repayment','to_mio')),
  demand_row_id bigint references demand_rows(id),
  return_id bigint,
  mio_bin char(12) not null references mios(mio_bin),
  provider_id char(12) not null references providers(provider_id),
  bank_detail_id bigint references bank_details(id),
  bik char(8) not null,
  iban char(20) not null,
  service_month char(7) not null,
  amount numeric(18,2) not null check (amount > 0),
  check ((kind = 'payout') = (demand_row_id is not null)),
  check ((kind = 'payout') = (return_id is null))
);
create unique index payment_lines_payout_once on payment_lines(demand_row_id) where kind = 'payout';
create unique index payment_lines_return_once on payment_lines(return_id) where kind <> 'payout';
create index payment_lines_order on payment_lines(order_id);
create table payment_line_events (
  id bigserial primary key,
  line_id bigint not null references payment_lines(id),
  status text not null check (status in ('issued','returned')),
  event_date date not null,
  return_id bigint,
  created_at timestamptz not null default now(),
  unique (line_id, status)
);
-- Gapless order numbers: one counter row per year, locked by the transaction that numbers
create table order_counters (
  year integer primary key,
  last_number integer not null default 0
);

-- Returns from banks: a return is its own row, the paid line is never edited
create table returns (
  id bigserial primary key,
  payment_line_id bigint not null unique references payment_lines(id),
  ref text not null unique,
  amount numeric(18,2) not null check (amount > 0),
  returned_on date not null,
  reason_code text not null,
  reason_text text not null default '',
  batch_id bigint references import_batches(id),
  created_at timestamptz not null default now()
);
alter table demand_rows add foreign key (return_id) references returns(id);
alter table payment_lines add foreign key (return_id) references returns(id);
alter table payment_line_events add foreign key (return_id) references returns(id);
-- Bank details marked incorrect by a return (an event, the version row stays as it was)
create table bank_detail_events (
  id bigserial primary key,
  bank_detail_id bigint not null references bank_details(id),
  status text not null check (status in ('incorrect')),
  event_date date not null,
  return_id bigint not null references returns(id),
  unique (bank_detail_id, return_id)
);

-- Month closing: reconciliation acts and bank-fee reports, frozen when run
create table reconciliations (
  id bigserial primary key,
  month char(7) not null check (${MONTH_CHECK('month')}),
  mio_bin char(12) not null references mios(mio_bin),
  data jsonb not null,
  run_id bigint not null references step_runs(id),
  unique (month, mio_bin)
);
create table bank_fee_reports (
  id bigserial primary key,
  month char(7) not null check (${MONTH_CHECK('month')}),
  mio_bin char(12) not null references mios(mio_bin),
  data jsonb not null,
  run_id bigint not null references step_runs(id),
  unique (month, mio_bin)
);
create table deadline_checks (
  id bigserial primary key,
  as_of date not null,
  rule text not null,
  object text not null,
  due date not null,
  status text not null,
  days_late integer not null,
  run_id bigint not null references step_runs(id),
  unique (as_of, rule, object)
);

-- Double-entry ledger: entries keyed by what caused them, postings that sum to zero
create table ledger_accounts (
  code text primary key,
  name text not null
);
create table ledger_entries (
  id bigserial primary key,
  entry_date date not null,
  source text not null,
  source_id text not null,
  description text not null,
  run_id bigint references step_runs(id),
  batch_id bigint references import_batches(id),
  created_at timestamptz not null default now(),
  unique (source, source_id)
);
create table ledger_postings (
  id bigserial primary key,
  entry_id bigint not null references ledger_entries(id),
  account text not null references ledger_accounts(code),
  debit numeric(18,2) not null default 0 check (debit >= 0),
  credit numeric(18,2) not null default 0 check (credit >= 0),
  check ((debit = 0) <> (credit = 0))
);
create index ledger_postings_entry on ledger_postings(entry_id);
create index ledger_postings_account on ledger_postings(account);

-- Audit trail and the notifications outbox
create table audit_events (
  id bigserial primary key,
  at timestamptz not null default now(),
  as_of date not null,
  operator text not null,
  action text not null,
  object text not null,
  details jsonb not null default '{}'::jsonb
);
create table notifications (
  id bigserial primary key,
  dedupe_key text not null unique,
  channel text not null check (channel in ('provider_cabinet','mio','esobes','cbd')),
  recipient text not null,
  kind text not null,
  payload jsonb not null,
  created_on date not null,
  sent_at timestamptz
);
create table scheduler_ticks (
  id bigserial primary key,
  tick_date date not null unique,
  created_at timestamptz not null default now()
);
`);
}

export async function down(knex: Knex): Promise<void> {
  await exec(knex, `drop schema public cascade;
create schema public;
`);
}
