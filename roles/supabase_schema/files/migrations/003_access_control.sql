-- workbench:amends sha256:7319174c4130de98e1573c5aee94b6b6e32994c4ac862aaeda7c228f3abe235b
--   (the version whose header said RLS was enabled only by the supabase_rls
--   step; the statements are unchanged)
-- =============================================================================
-- 003_access_control.sql — role helpers and table privileges
--
-- Application roles (viewer, engineer, admin, service) are NOT Postgres roles.
-- Every signed-in request runs as the Postgres role `authenticated`; the
-- application role is the JWT claim app_metadata.role, which comes from
-- auth.users.raw_app_meta_data and cannot be changed by the user.
-- (user_metadata CAN be changed by the user and is never consulted.)
--
-- Layers of access, outermost first:
--   1. Table privileges (this file).  A missing privilege fails with 42501
--      before any policy runs.
--        anon           nothing at all
--        authenticated  SELECT/INSERT/UPDATE/DELETE on the 24 tables: the
--                       union of what the application roles need (admin needs
--                       all four everywhere); RLS then narrows it per row.
--        service_role   ALL (it has BYPASSRLS; used by trusted back ends).
--   2. Row-level security: enabled on every table by 001/002 right after its
--      CREATE TABLE, before the grants below; the policies are created by the
--      supabase_rls module from files/sql/rls_policies.yml.  Not here.
--
-- Fail closed: until the policy spec has been applied (if that step failed or
-- was skipped), RLS without policies gives `authenticated` no row and refuses
-- every write, whatever it is granted here.
--
-- Runs once, inside the migration runner's transaction: no BEGIN/COMMIT here.
-- =============================================================================


-- =============================================================================
-- ip_workbench_private: role helpers for RLS policies
--
-- The schema is not in the API's exposed schemas, so the helpers cannot be
-- called as RPC.  They are
--   LANGUAGE sql STABLE   same result for the whole statement; policies wrap
--                         every call as (select ...) so it runs once per
--                         statement as an initPlan, not once per row
--   SECURITY DEFINER      run as the owner, independent of the caller's rights
--   SET search_path = ''  every name below is schema-qualified
-- Fail closed: a missing claim or a value outside the four known roles yields
-- NULL from get_user_role() and false from the boolean helpers.
-- =============================================================================

create schema if not exists ip_workbench_private;
revoke all on schema ip_workbench_private from public;

create or replace function ip_workbench_private.get_user_role()
returns text
language sql
stable
security definer
set search_path = ''
as $$
    select case auth.jwt() -> 'app_metadata' ->> 'role'
               when 'viewer'   then 'viewer'
               when 'engineer' then 'engineer'
               when 'admin'    then 'admin'
               when 'service'  then 'service'
           end
$$;
comment on function ip_workbench_private.get_user_role() is
    'Application role from the JWT claim app_metadata.role: viewer | engineer | admin | service; NULL (no access) otherwise.';

create or replace function ip_workbench_private.is_admin()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select coalesce(ip_workbench_private.get_user_role() = 'admin', false)
$$;
comment on function ip_workbench_private.is_admin() is 'True when the application role is admin.';

create or replace function ip_workbench_private.is_engineer_or_admin()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select coalesce(ip_workbench_private.get_user_role() in ('engineer', 'admin'), false)
$$;
comment on function ip_workbench_private.is_engineer_or_admin() is
    'True when the application role is engineer or admin.';

create or replace function ip_workbench_private.is_service()
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
    select coalesce(ip_workbench_private.get_user_role() = 'service', false)
$$;
comment on function ip_workbench_private.is_service() is
    'True when the application role is service (automation identity, e.g. n8n calling the API).';

-- Policies run these as the querying role: authenticated needs USAGE on the
-- schema and EXECUTE on the helpers.  anon has no table privileges, so no
-- policy is ever evaluated for it and it gets nothing here.
revoke all on function
    ip_workbench_private.get_user_role(),
    ip_workbench_private.is_admin(),
    ip_workbench_private.is_engineer_or_admin(),
    ip_workbench_private.is_service()
from public, anon;

grant usage on schema ip_workbench_private to authenticated;
grant execute on function
    ip_workbench_private.get_user_role(),
    ip_workbench_private.is_admin(),
    ip_workbench_private.is_engineer_or_admin(),
    ip_workbench_private.is_service()
to authenticated;


-- =============================================================================
-- Table privileges
-- =============================================================================

-- Start from nothing for the API roles.  (No sequences exist: keys are uuid.)
revoke all on all tables in schema ip_workbench, bronze, silver, gold, platinum
    from anon, authenticated, public;
revoke all on schema ip_workbench, bronze, silver, gold, platinum from public;

-- authenticated: USAGE on the four RLS-protected schemas and DML on their
-- tables.  No TRUNCATE (it bypasses RLS), no REFERENCES, no TRIGGER.
-- Per-row, per-application-role narrowing is the RLS policies' job.
grant usage on schema ip_workbench, bronze, silver, gold to authenticated;
grant select, insert, update, delete on all tables in schema ip_workbench, bronze, silver, gold
    to authenticated;

-- service_role: trusted server-side role with BYPASSRLS.
grant usage on schema ip_workbench, bronze, silver, gold, platinum to service_role;
grant all on all tables in schema ip_workbench, bronze, silver, gold to service_role;

-- platinum holds only materialized views.  A materialized view cannot have
-- row-level security, so anything granted on it would expose every row to
-- every caller: they are readable by service_role only (no usage on platinum
-- for authenticated or anon).  Serve them to users through a back end running
-- as service_role, or through a security_invoker view over gold.
grant select on all tables in schema platinum to service_role;

-- Functions outside ip_workbench_private: only service_role may refresh the
-- matviews; the trigger function needs no grant at all (triggers fire without
-- an EXECUTE check).  Revoked from the API roles explicitly in case a platform
-- default privilege ever granted them EXECUTE.
revoke all on function platinum.refresh_materialized_views() from public, anon, authenticated;
grant execute on function platinum.refresh_materialized_views() to service_role;
revoke all on function ip_workbench_private.set_updated_at() from public, anon, authenticated;


-- =============================================================================
-- Default privileges for objects created later by the role running the
-- migrations (no FOR ROLE: whoever runs this file runs the next ones).
--
-- Deliberately NOT granted to authenticated: a new table stays invisible to
-- the API until its migration grants it and the RLS spec covers it, so a
-- forgotten policy fails closed instead of exposing an RLS-less table.
-- service_role gets new tables (it is trusted and bypasses RLS) and SELECT on
-- new platinum materialized views, matching the grants above.
-- Functions: PUBLIC's default EXECUTE can only be removed database-wide, so
-- each migration revokes it on its own functions (as 002 and this file do).
-- =============================================================================
alter default privileges in schema ip_workbench, bronze, silver, gold
    grant all on tables to service_role;
alter default privileges in schema ip_workbench, bronze, silver, gold
    grant usage, select on sequences to service_role;
alter default privileges in schema platinum
    grant select on tables to service_role;
