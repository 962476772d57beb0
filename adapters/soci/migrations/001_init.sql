-- 001: cases, facts versions, the event chain, budgets, awards.
-- Portable between SQLite, PostgreSQL and MariaDB/MySQL (adapters/soci/connection.cpp, Dialect).
-- {{ID_PRIMARY_KEY}} is
--   SQLite:     INTEGER PRIMARY KEY AUTOINCREMENT   (ids are never reused)
--   PostgreSQL: BIGSERIAL PRIMARY KEY
--   MySQL:      BIGINT AUTO_INCREMENT PRIMARY KEY
-- {{KEY_TEXT}} is text in a key or an index: TEXT, on MySQL VARCHAR(255) (a key cannot be TEXT
-- there); every other TEXT is LONGTEXT on MySQL.
-- Statements are separated by ';' and '--' comments run to the end of the line (so neither may
-- appear inside a string literal). Timestamps are UTC ISO-8601 TEXT, dates are
-- 'YYYY-MM-DD' TEXT (both compare correctly as text); money is BIGINT fen.

CREATE TABLE cases (
  id {{ID_PRIMARY_KEY}},
  application_id {{KEY_TEXT}} NOT NULL UNIQUE,
  programme {{KEY_TEXT}} NOT NULL,
  call_year INTEGER NOT NULL,
  workflow TEXT NOT NULL,
  workflow_version INTEGER NOT NULL,
  stages TEXT NOT NULL DEFAULT '',      -- current stages as '|a|b|' ('' when none)
  roles TEXT NOT NULL DEFAULT '',       -- responsible roles as '|r1|r2|'
  state_json TEXT NOT NULL DEFAULT '',  -- opaque workflow state
  deadlines TEXT NOT NULL DEFAULT '',   -- one 'YYYY-MM-DD stage' per line
  next_due {{KEY_TEXT}},                      -- earliest deadline of a current stage (overdue queries)
  decision_outcome TEXT,                -- NULL: not decided yet
  decision_amount_fen BIGINT,
  decision_ruleset_hash TEXT,
  decision_as_of TEXT,
  decision_json TEXT,
  amount_fen BIGINT NOT NULL DEFAULT 0,
  version BIGINT NOT NULL CHECK (version >= 1),  -- optimistic lock counter
  facts_version INTEGER NOT NULL DEFAULT 1,      -- latest facts version number
  event_count BIGINT NOT NULL DEFAULT 0,         -- chain head: events appended so far …
  event_head TEXT NOT NULL,                      -- … and the hash of the last one
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX cases_programme ON cases (programme, call_year);
CREATE INDEX cases_next_due ON cases (next_due);

CREATE TABLE facts_versions (
  case_id BIGINT NOT NULL REFERENCES cases (id),
  version INTEGER NOT NULL CHECK (version >= 1),
  facts_json TEXT NOT NULL,
  reason TEXT NOT NULL,                 -- 'submitted' | 'corrected'
  created_at TEXT NOT NULL,
  PRIMARY KEY (case_id, version)
);

CREATE TABLE events (
  case_id BIGINT NOT NULL REFERENCES cases (id),
  seq BIGINT NOT NULL CHECK (seq >= 1),
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  from_stage TEXT NOT NULL,
  to_stage TEXT NOT NULL,
  note TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (case_id, seq)
);

CREATE TABLE budgets (
  programme {{KEY_TEXT}} NOT NULL,
  year INTEGER NOT NULL,
  total_fen BIGINT NOT NULL,
  reserved_fen BIGINT NOT NULL DEFAULT 0,
  consumed_fen BIGINT NOT NULL DEFAULT 0,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (programme, year),
  CHECK (reserved_fen >= 0 AND consumed_fen >= 0 AND reserved_fen <= total_fen - consumed_fen)
);

CREATE TABLE awards (
  id {{ID_PRIMARY_KEY}},
  applicant {{KEY_TEXT}} NOT NULL,      -- organisation identifier
  programme TEXT NOT NULL,
  year INTEGER NOT NULL,
  amount_fen BIGINT NOT NULL,
  achievement TEXT,
  case_id BIGINT REFERENCES cases (id),
  disbursed_at TEXT NOT NULL
);
CREATE INDEX awards_applicant ON awards (applicant, year);
CREATE UNIQUE INDEX awards_case ON awards (case_id);  -- a case is paid at most once (NULLs allowed)
