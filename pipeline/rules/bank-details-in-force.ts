// The provider's bank details in force on a date (DOMAIN.md §4, §10). Bank details are versions,
// never edited: the version in force on D is the latest one changed on or before D (one a day
// at most: bank_details is unique on (provider_id, changed_on), so no tie can arise), and it is
// marked incorrect on D when a bank returned a line paid to it and the return was recorded on or
// before D (an 'incorrect' event of bank_detail_events). build-lists lists the act with it (and
// counts the rows whose version is marked), pay pays to it only when it is not marked (a return
// is repaid only to another version), form-demand demands a sent-back sum again on the same terms.

/**
 * SQL of a relation (provider_id, id, bik, iban, changed_on, incorrect): one row per provider
 * that has a version in force on `date` (the SQL of the date, e.g. the binding ':asOf'), for the
 * providers of `providers` (a query of provider_id) or all. Set-based: the versions of all those
 * providers in one pass, then the incorrect mark of the one version each keeps.
 */
export function bankDetailsInForce(date: string, providers?: string): string {
  const only = providers === undefined ? '' : ` and b.provider_id in (${providers})`;
  return `select v.provider_id, v.id, v.bik, v.iban, v.changed_on,
                 exists (select 1 from bank_detail_events e
                          where e.bank_detail_id = v.id and e.status = 'incorrect' and e.event_date <= ${date}) as incorrect
            from (select distinct on (b.provider_id) b.provider_id, b.id, b.bik, b.iban, b.changed_on
                    from bank_details b
                   where b.changed_on <= ${date}${only}
                   order by b.provider_id, b.changed_on desc) v`;
}
