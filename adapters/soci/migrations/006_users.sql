-- 006: users, their role grants and their API tokens (docs/service.md, "Users, roles and tokens").
--   users.password_hash   the encoded Argon2id string (its parameters and salt inside); '' = no password
--   role_grants.role      a role as the workflow reads it: 市财政局, 旗县区科技局[临河区]
--   api_tokens.token_hash lowercase hex SHA-256 of the token (the token itself is never stored)
--   api_tokens.scopes     comma-separated subset of decide, read, act, admin
CREATE TABLE users (
  id {{ID_PRIMARY_KEY}},
  name {{KEY_TEXT}} NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at TEXT NOT NULL
);

CREATE TABLE role_grants (
  user_id BIGINT NOT NULL REFERENCES users (id),
  role {{KEY_TEXT}} NOT NULL,
  granted_by TEXT NOT NULL,
  granted_at TEXT NOT NULL,
  PRIMARY KEY (user_id, role)
);

CREATE TABLE api_tokens (
  id {{ID_PRIMARY_KEY}},
  user_id BIGINT NOT NULL REFERENCES users (id),
  scopes TEXT NOT NULL,
  token_hash {{KEY_TEXT}} NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  revoked INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1))
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
