-- 010: settings of the database, one row per name (docs/storage.md §4):
--   audit_hash  the hash of the event chains, the budget ledgers and the checkpoints: 'sha256' or
--               'sm3' (GB/T 32905, for Chinese government deployments). Chosen when the database is
--               made (`subsidy db migrate --hash sm3` before its first event) and never changed after;
--               no row means 'sha256', so every database made before 010 keeps its chains as they are.
CREATE TABLE settings (
  name {{KEY_TEXT}} PRIMARY KEY,
  value TEXT NOT NULL
);
