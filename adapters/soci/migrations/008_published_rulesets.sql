-- 008: published rule versions (docs/whatif.md "Publishing and replay"). Each row makes a stored
-- ruleset (rulesets.hash, its sources once per hash in ruleset_files) the one the service and the
-- case commands use when they get no rules directory: the row with the highest version.
--   calendar_text  the working-day calendar published with it ('' when the rules had none)
--   published_by   "os:alice" from the CLI, the authenticated user's name over HTTP
--   test_summary   what `rules test` gave when it was published
CREATE TABLE published_rulesets (
  version INTEGER PRIMARY KEY CHECK (version >= 1),
  ruleset_hash {{KEY_TEXT}} NOT NULL REFERENCES rulesets (hash),
  calendar_text TEXT NOT NULL,
  note TEXT NOT NULL,
  published_by TEXT NOT NULL,
  published_at TEXT NOT NULL,
  test_summary TEXT NOT NULL
);
