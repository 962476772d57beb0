-- 003: what `case advance` and the case lists select on becomes indexed columns of `cases`
-- (docs/storage.md §3, "Case columns"):
--   applicant  the organisation key (统一社会信用代码, else the application id), fixed at creation
--   timer_due  'YYYY-MM-DD': last day of the current stage's running `after` period (NULL: none);
--              the case is due to advance on D when timer_due < D
--   closed     1 when the case is in a terminal stage, else 0
-- {{JSON_TEXT(column, key)}} is the string at `key` of the JSON object in `column` (NULL otherwise):
--   SQLite json_extract, PostgreSQL column::jsonb ->> key (adapters/soci/connection.cpp).
ALTER TABLE cases ADD COLUMN applicant {{KEY_TEXT}} NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN timer_due {{KEY_TEXT}};
ALTER TABLE cases ADD COLUMN closed INTEGER NOT NULL DEFAULT 0 CHECK (closed IN (0, 1));

-- applicant: the "applicant" of the case's first event (case create writes it there), else the application id.
UPDATE cases SET applicant = COALESCE(
  (SELECT {{JSON_TEXT(e.payload_json, applicant)}} FROM events e WHERE e.case_id = cases.id AND e.seq = 1), '');
UPDATE cases SET applicant = application_id WHERE applicant = '';
-- timer_due: the "timer" of the stored workflow state (workflow::to_json(CaseState)).
UPDATE cases SET timer_due = {{JSON_TEXT(state_json, timer)}};
-- closed: a terminal stage leaves nobody responsible, no deadline and no timer (workflow::arrive
-- clears all three), which a stage under way does not (its responsible role, reviewers, deadline
-- or `after` period). The service rewrites `closed` from the workflow on the case's next step.
UPDATE cases SET closed = 1 WHERE stages <> '' AND roles = '' AND deadlines = '' AND timer_due IS NULL;

CREATE INDEX cases_applicant ON cases (applicant);
CREATE INDEX cases_timer_due ON cases (timer_due);
CREATE INDEX cases_open ON cases (closed, id);
