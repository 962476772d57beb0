-- 009: the case lists' orders over every match, with keyset paging in SQL (store::CaseOrder,
-- docs/storage.md "List orders"):
--   due_key      'YYYY-MM-DD': next_due, the earliest deadline of a current stage, or '9999-12-31'
--                for a case without one (so that it sorts after every dated case and the keyset
--                (due_key, id) has no NULL)
--   payable_fen  what the case will be paid (store::payable_fen): the decision's amount when
--                eligible, else 0, cut to approved_fen and allocated_fen when set. The amount order
--                is CASE WHEN consumed_fen > 0 THEN consumed_fen ELSE payable_fen END (store::shown_fen).
-- Both are written on every write of a case (create_case, update_case), like next_due; here they are
-- back-filled from the stored columns.
ALTER TABLE cases ADD COLUMN due_key {{KEY_TEXT}} NOT NULL DEFAULT '9999-12-31';
ALTER TABLE cases ADD COLUMN payable_fen BIGINT NOT NULL DEFAULT 0;

UPDATE cases SET due_key = next_due WHERE next_due IS NOT NULL;
UPDATE cases SET payable_fen = decision_amount_fen WHERE decision_outcome = 'eligible' AND decision_amount_fen IS NOT NULL;
UPDATE cases SET payable_fen = approved_fen WHERE payable_fen > 0 AND approved_fen IS NOT NULL AND approved_fen < payable_fen;
UPDATE cases SET payable_fen = allocated_fen WHERE payable_fen > 0 AND allocated_fen IS NOT NULL AND allocated_fen < payable_fen;

CREATE INDEX cases_due ON cases (closed, due_key, id);
-- The rows whose visibility was resolved with other rules than the service's (stale: resolved when
-- read), found by index instead of a scan: visibility_rules IS NULL OR < h OR > h.
CREATE INDEX cases_visibility ON cases (visibility_rules);
