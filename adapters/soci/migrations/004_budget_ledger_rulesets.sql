-- 004: the budgets' ledger and the stored rulesets.
-- Every change of a budget's total (`set`) and every allocation (`allocate`) is an event of the
-- budget, hash-chained like a case's events; the budget row keeps the chain head (event_count,
-- event_head) as the case row does. Each existing budget gets one `set` event by "migration" with
-- the total it has (written in C++ in this migration's transaction, soci/migration_code.cpp: SQL
-- cannot compute the event hash).
ALTER TABLE budgets ADD COLUMN event_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE budgets ADD COLUMN event_head TEXT NOT NULL DEFAULT '0000000000000000000000000000000000000000000000000000000000000000';

CREATE TABLE budget_events (
  programme {{KEY_TEXT}} NOT NULL,
  year INTEGER NOT NULL,
  seq BIGINT NOT NULL CHECK (seq >= 1),
  actor TEXT NOT NULL,
  action TEXT NOT NULL,                 -- 'set' | 'allocate'
  total_fen BIGINT NOT NULL,            -- the budget's total after the event
  note TEXT NOT NULL,
  occurred_at TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (programme, year, seq),
  FOREIGN KEY (programme, year) REFERENCES budgets (programme, year)
);

-- The sources of every ruleset a stored decision was made with, once per hash
-- (cases.decision_ruleset_hash names one).
CREATE TABLE rulesets (
  hash {{KEY_TEXT}} PRIMARY KEY,         -- SHA-256 of the files (store::ruleset_hash)
  created_at TEXT NOT NULL
);
CREATE TABLE ruleset_files (
  hash {{KEY_TEXT}} NOT NULL REFERENCES rulesets (hash),
  ord INTEGER NOT NULL,                 -- the files' order, as hashed
  path TEXT NOT NULL,                   -- relative to the rules directory
  text TEXT NOT NULL,
  PRIMARY KEY (hash, ord)
);
