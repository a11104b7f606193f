-- =============================================================================
-- 001_supabase_roles_auth.sql
--
-- Supabase-compatible bootstrap for a plain PostgreSQL 15 cluster.
-- LOCAL / TEST USE ONLY.  A real Supabase project already has all of this
-- (and refuses DDL in the auth schema); never run this file against one.
--
-- What it provides, in the shape Supabase has it:
--   * the API roles   anon, authenticated, service_role   (NOLOGIN)
--   * the login role  authenticator  (LOGIN NOINHERIT, member of the three;
--     PostgREST connects as it and does SET ROLE per request)
--   * schema auth with auth.users and the request helpers
--     auth.uid(), auth.role(), auth.email(), auth.jwt()
--
-- A request is simulated the way PostgREST does it:
--   begin;
--   set local role authenticated;
--   select set_config('request.jwt.claims',
--          '{"sub":"<uuid>","role":"authenticated","app_metadata":{"role":"viewer"}}', true);
--   ... statements ...
--   rollback;
--
-- Idempotent: every statement may be re-run.  The runner wraps the file in one
-- transaction, so there is no BEGIN/COMMIT here.
-- =============================================================================


-- -----------------------------------------------------------------------------
-- Roles
-- CREATE ROLE has no IF NOT EXISTS; guard each one.  Attributes mirror Supabase:
-- the three API roles are NOLOGIN NOINHERIT, service_role bypasses RLS.
-- Existing roles are left untouched (their attributes are not re-asserted),
-- except BYPASSRLS on service_role, which the whole access model relies on.
-- -----------------------------------------------------------------------------
do $$
begin
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'anon') then
        create role anon nologin noinherit;
    end if;

    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticated') then
        create role authenticated nologin noinherit;
    end if;

    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'service_role') then
        create role service_role nologin noinherit bypassrls;
    else
        alter role service_role bypassrls;
    end if;

    -- No password: the local cluster uses trust/peer auth.  Set one with
    -- ALTER ROLE authenticator PASSWORD ... if the local stack needs it.
    if not exists (select 1 from pg_catalog.pg_roles where rolname = 'authenticator') then
        create role authenticator login noinherit;
    end if;
end
$$;

-- GRANT of an existing membership only raises a NOTICE on PG 15: re-runnable.
grant anon, authenticated, service_role to authenticator;


-- -----------------------------------------------------------------------------
-- Schema public: Supabase grants the API roles usage on it and, through default
-- privileges, full DML on every new table.  Reproduced so that local behaviour
-- matches a hosted project (our migrations do not create tables in public).
-- -----------------------------------------------------------------------------
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public
    grant select, insert, update, delete on tables to anon, authenticated, service_role;


-- -----------------------------------------------------------------------------
-- Schema auth and auth.users
-- A subset of GoTrue's auth.users: the columns policies, seeds and tests touch.
-- -----------------------------------------------------------------------------
create schema if not exists auth;
comment on schema auth is 'Supabase-compatible auth schema (local/test bootstrap).';

create table if not exists auth.users (
    instance_id         uuid,
    id                  uuid         not null default gen_random_uuid(),
    aud                 varchar(255),
    role                varchar(255),
    email               varchar(255),
    encrypted_password  varchar(255),
    email_confirmed_at  timestamptz,
    last_sign_in_at     timestamptz,
    raw_app_meta_data   jsonb        not null default '{}'::jsonb,
    raw_user_meta_data  jsonb        not null default '{}'::jsonb,
    is_super_admin      boolean,
    created_at          timestamptz  not null default now(),
    updated_at          timestamptz  not null default now(),
    constraint users_pkey primary key (id),
    constraint users_email_key unique (email)
);

comment on table auth.users is
    'Subset of Supabase auth.users. raw_app_meta_data is surfaced in the JWT as '
    'app_metadata (server-controlled, safe for authorization); raw_user_meta_data '
    'as user_metadata (user-editable, never authorize on it).';


-- -----------------------------------------------------------------------------
-- Request helpers, as Supabase Auth defines them (migration
-- 20220224000811_update_auth_functions): the legacy per-claim settings
-- request.jwt.claim.<name> win, else the claim is read from request.jwt.claims.
--
-- Faithful to upstream, auth.uid()/role()/email() cast request.jwt.claims to
-- jsonb without a NULLIF: if that setting exists but is '' (set earlier in the
-- session, then rolled back) they raise 22P02 instead of returning NULL.
-- PostgREST always sets the claims, so this only bites hand-written tests:
-- set request.jwt.claims on every simulated request.
-- -----------------------------------------------------------------------------
create or replace function auth.uid()
returns uuid
language sql
stable
as $$
    select nullif(
        coalesce(
            current_setting('request.jwt.claim.sub', true),
            (current_setting('request.jwt.claims', true)::jsonb ->> 'sub')
        ),
        ''
    )::uuid
$$;

create or replace function auth.role()
returns text
language sql
stable
as $$
    select nullif(
        coalesce(
            current_setting('request.jwt.claim.role', true),
            (current_setting('request.jwt.claims', true)::jsonb ->> 'role')
        ),
        ''
    )::text
$$;

create or replace function auth.email()
returns text
language sql
stable
as $$
    select nullif(
        coalesce(
            current_setting('request.jwt.claim.email', true),
            (current_setting('request.jwt.claims', true)::jsonb ->> 'email')
        ),
        ''
    )::text
$$;

create or replace function auth.jwt()
returns jsonb
language sql
stable
as $$
    select coalesce(
        nullif(current_setting('request.jwt.claim', true), ''),
        nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$$;

comment on function auth.uid()   is 'Subject (user id) of the current request''s JWT, or NULL.';
comment on function auth.role()  is 'Postgres role claim of the current request''s JWT (anon, authenticated, service_role).';
comment on function auth.email() is 'Email claim of the current request''s JWT, or NULL.';
comment on function auth.jwt()   is 'All claims of the current request''s JWT as jsonb, or NULL.';


-- -----------------------------------------------------------------------------
-- Privileges
-- The API roles may resolve names in auth and call the helpers (RLS policies
-- run them as the querying role).  auth.users itself is not readable by the API
-- roles, as on Supabase; service_role administers it.
-- -----------------------------------------------------------------------------
grant usage on schema auth to anon, authenticated, service_role;

-- (PUBLIC keeps its default EXECUTE too, as on Supabase: the helpers only read
-- the current request's settings.)
grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
    to anon, authenticated, service_role;

revoke all on table auth.users from anon, authenticated, public;
grant select, insert, update, delete on table auth.users to service_role;
