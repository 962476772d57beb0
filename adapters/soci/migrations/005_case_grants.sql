-- 005: what the bureaus granted below a case's decision (docs/cases.md §5):
--   approved_fen   the smaller amount an officer approved where the workflow allows it
--                  (`amount adjustable`); NULL: the decision's amount
--   allocated_fen  the case's share in the last budget allocation; NULL: never allocated
ALTER TABLE cases ADD COLUMN approved_fen BIGINT CHECK (approved_fen >= 0);
ALTER TABLE cases ADD COLUMN allocated_fen BIGINT CHECK (allocated_fen >= 0);
