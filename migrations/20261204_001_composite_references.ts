// Composite references where a row repeats columns of the row it points to: a list row's МИО is
// its list's МИО and its provider owns the bank-details version it is paid to; a payment line's
// МИО and bank are its order's, and its provider, bank and account are those of the
// bank-details version it pays to. Single-column foreign keys become one foreign key over the
// columns together, which says more (the copies cannot disagree with what they copy: no list row
// of one МИО in another МИО's list, no payment to an account other than the version it names)
// and costs fewer checks per inserted row: PostgreSQL checks a foreign key row by row, about 4 µs
// each, and these tables take a million rows a month at national scale. The unique constraints
// added on the referenced tables are implied by their primary keys; foreign keys need them.
// Lines to a МИО (`to_mio`) have no bank-details version, so payment_lines keeps its own
// reference to the provider.
import type { Knex } from 'knex';
import { exec } from './exec.ts';

export async function up(knex: Knex): Promise<void> {
  await exec(knex, `
    alter table lists add constraint lists_id_mio unique (id, mio_bin);
    alter table bank_details add constraint bank_details_id_provider unique (id, provider_id);
    alter table bank_details add constraint bank_details_id_account unique (id, provider_id, bik, iban);
    alter table payment_orders add constraint payment_orders_id_mio_bik unique (id, mio_bin, bik);

    alter table list_rows
      drop constraint list_rows_list_id_fkey,
      drop constraint list_rows_mio_bin_fkey,
      drop constraint list_rows_provider_id_fkey,
      drop constraint list_rows_bank_detail_id_fkey,
      add constraint list_rows_list_mio_fkey foreign key (list_id, mio_bin) references lists(id, mio_bin),
      add constraint list_rows_bank_detail_provider_fkey foreign key (bank_detail_id, provider_id) references bank_details(id, provider_id);

    alter table payment_lines
      drop constraint payment_lines_order_id_fkey,
      drop constraint payment_lines_mio_bin_fkey,
      drop constraint payment_lines_bank_detail_id_fkey,
      add constraint payment_lines_order_mio_bik_fkey foreign key (order_id, mio_bin, bik) references payment_orders(id, mio_bin, bik),
      add constraint payment_lines_paid_to_fkey foreign key (bank_detail_id, provider_id, bik, iban)
        references bank_details(id, provider_id, bik, iban);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await exec(knex, `
    alter table payment_lines
      drop constraint payment_lines_order_mio_bik_fkey,
      drop constraint payment_lines_paid_to_fkey,
      add constraint payment_lines_order_id_fkey foreign key (order_id) references payment_orders(id),
      add constraint payment_lines_mio_bin_fkey foreign key (mio_bin) references mios(mio_bin),
      add constraint payment_lines_bank_detail_id_fkey foreign key (bank_detail_id) references bank_details(id);

    alter table list_rows
      drop constraint list_rows_list_mio_fkey,
      drop constraint list_rows_bank_detail_provider_fkey,
      add constraint list_rows_list_id_fkey foreign key (list_id) references lists(id),
      add constraint list_rows_mio_bin_fkey foreign key (mio_bin) references mios(mio_bin),
      add constraint list_rows_provider_id_fkey foreign key (provider_id) references providers(provider_id),
      add constraint list_rows_bank_detail_id_fkey foreign key (bank_detail_id) references bank_details(id);

    alter table payment_orders drop constraint payment_orders_id_mio_bik;
    alter table bank_details drop constraint bank_details_id_account;
    alter table bank_details drop constraint bank_details_id_provider;
    alter table lists drop constraint lists_id_mio;
  `);
}
