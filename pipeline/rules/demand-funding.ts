// How far each demand is funded (DOMAIN.md §3): transfers fund whole demand rows (allocations),
// so a demand's funded sum is what was allocated to its rows, and its unfunded rest is the
// amount less that. The rest is shown, never a breach by itself: funding «в пределах сумм» is
// on time when a transfer funded the demand by its due date (first_funded_on). Per demand, as of a date: an allocation counts from the day
// of the transfer that made it. (The ceiling of the next transfer, a sum of money per МИО, is
// another thing: pipeline/rules/transfer-ceiling.ts.)

/**
 * SQL of a relation (demand_id, month, mio_bin, formed_on, funding_due, amount, funded, unfunded,
 * first_funded_on, last_funded_on): every demand with the sum allocated to its rows — by transfers dated on or
 * before `fundedBy` (the SQL of a date, e.g. a binding '?'), or all when it is not given — the
 * rest, and the date of its last allocation. One aggregate per demand (there are a handful a
 * month); a filter on the demand's columns reaches the demands table.
 */
export function demandFunding(fundedBy?: string): string {
  const dated = fundedBy === undefined ? '' : ` and a.funded_on <= ${fundedBy}`;
  return `select d.id as demand_id, d.month, d.mio_bin, d.formed_on, d.funding_due, d.amount,
                 f.funded, d.amount - f.funded as unfunded, f.first_funded_on, f.last_funded_on
            from demands d
            cross join lateral (
              select coalesce(sum(a.amount), 0) as funded, min(a.funded_on) as first_funded_on, max(a.funded_on) as last_funded_on
                from demand_rows dr join allocations a on a.demand_row_id = dr.id${dated}
               where dr.demand_id = d.id) f`;
}
