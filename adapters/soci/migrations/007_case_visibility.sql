-- 007: who may see a case, stored with it so that lists need not resolve every case's roles
-- (store::Case::visible_roles, service::case_roles):
--   visible_roles     every role the case's workflow resolves to for it at any stage, '|'-separated
--                     like roles
--   visibility_rules  the hash of the ruleset they were resolved with; NULL: not resolved
-- Resolving needs the rules (guards on the case's facts), which a migration does not have: the
-- cases stored before stay NULL here, the service resolves their roles when it reads them and
-- `subsidy serve` stores them at start (service::refresh_visibility); every step stores them anew.
ALTER TABLE cases ADD COLUMN visible_roles TEXT;
ALTER TABLE cases ADD COLUMN visibility_rules {{KEY_TEXT}};
