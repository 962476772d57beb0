-- 002: every budget movement belongs to one case. Each case keeps its own reservation of the
-- budget of its (programme, call_year): reserved_fen (reserved for it, not yet paid) and
-- consumed_fen (what its payment consumed). They replace amount_fen, which mixed the two and let a
-- movement of one case take what another case had reserved. A budget's reserved_fen / consumed_fen
-- are the sums over its cases (docs/storage.md §6).
ALTER TABLE cases ADD COLUMN reserved_fen BIGINT NOT NULL DEFAULT 0 CHECK (reserved_fen >= 0);
ALTER TABLE cases ADD COLUMN consumed_fen BIGINT NOT NULL DEFAULT 0 CHECK (consumed_fen >= 0);
-- Carry amount_fen over where a budget exists for the case (amount_fen without a budget was never
-- a reservation): a paid case (it has an award) consumed it, any other case holds it.
UPDATE cases SET consumed_fen = amount_fen
  WHERE amount_fen > 0 AND EXISTS (SELECT 1 FROM awards a WHERE a.case_id = cases.id)
    AND EXISTS (SELECT 1 FROM budgets b WHERE b.programme = cases.programme AND b.year = cases.call_year);
UPDATE cases SET reserved_fen = amount_fen
  WHERE amount_fen > 0 AND NOT EXISTS (SELECT 1 FROM awards a WHERE a.case_id = cases.id)
    AND EXISTS (SELECT 1 FROM budgets b WHERE b.programme = cases.programme AND b.year = cases.call_year);
ALTER TABLE cases DROP COLUMN amount_fen;
