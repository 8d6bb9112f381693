// Site requisites (DOMAIN.md §6–7, INTERFACE.md «Site requisites»): the State Corporation's own
// account, the accounts the contributions are paid to per КНП, and the four-eyes switch, as the
// site imported them (`payouts import requisites FILE`). Append-only: a new import is a new
// version, the highest version is the one in force; no version is ever changed or removed.
//
// The demand request's outgoing number: gapless per calendar year, enforced by the database (a
// number other than 1 needs its predecessor of the same year: a foreign key to it).
//
// A legal-entity provider's economic sector (the second digit of its КБе); empty means the
// default of DOMAIN §7 (8, a non-profit organization serving households).
import type { Knex } from 'knex';
import { exec } from './exec.ts';

export async function up(knex: Knex): Promise<void> {
  await exec(knex, `
create table site_requisites (
  id bigserial primary key,
  version integer not null unique check (version > 0),
  document jsonb not null,
  sha256 char(64) not null,
  file_name text not null,
  as_of date not null,
  operator text not null,
  imported_at timestamptz not null default now()
);
create function site_requisites_append_only() returns trigger language plpgsql as $$ begin raise exception 'site_requisites is append-only: a new import is a new version'; end $$;
create trigger site_requisites_append_only before update or delete on site_requisites for each row execute function site_requisites_append_only();

alter table demands
  add column request_year integer,
  add column request_no integer check (request_no > 0),
  add column request_prev integer generated always as (nullif(request_no - 1, 0)) stored,
  add constraint demands_request_no unique (request_year, request_no),
  add constraint demands_request_gapless foreign key (request_year, request_prev) references demands(request_year, request_no),
  add constraint demands_request_numbered check ((request_year is null) = (request_no is null));

update demands d set request_year = n.y, request_no = n.no
  from (select id, extract(year from formed_on)::int as y,
               row_number() over (partition by extract(year from formed_on) order by formed_on, mio_bin, id)::int as no
          from demands) n
 where n.id = d.id;

alter table providers add column sector smallint check (sector between 1 and 9);
`);
}

export async function down(knex: Knex): Promise<void> {
  await exec(knex, `
alter table providers drop column sector;
alter table demands drop constraint demands_request_gapless, drop constraint demands_request_no, drop constraint demands_request_numbered,
  drop column request_prev, drop column request_no, drop column request_year;
drop table site_requisites;
drop function site_requisites_append_only();
`);
}
