-- =============================================================================
-- 002_test_users.sql
--
-- Fixed test identities for the local stack and the integration tests.
-- LOCAL / TEST USE ONLY.  Requires 001_supabase_roles_auth.sql.
--
-- The application role lives in raw_app_meta_data.role, which Supabase puts in
-- the JWT as app_metadata.role (server-controlled).  The RLS helpers in
-- ip_workbench_private read it from there and nowhere else.
--
--   uuid                                   email                      app role
--   00000000-0000-4000-8000-000000000001   viewer@workbench.local     viewer
--   00000000-0000-4000-8000-000000000002   engineer@workbench.local   engineer
--   00000000-0000-4000-8000-000000000003   admin@workbench.local      admin
--   00000000-0000-4000-8000-000000000004   service@workbench.local    service
--
-- Idempotent: existing rows (same id or same email) are left as they are.
-- No passwords: these users authenticate only through hand-built JWT claims.
-- =============================================================================

insert into auth.users
    (instance_id, id, aud, role, email, email_confirmed_at,
     raw_app_meta_data, raw_user_meta_data)
values
    ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-000000000001',
     'authenticated', 'authenticated', 'viewer@workbench.local', now(),
     '{"provider": "email", "providers": ["email"], "role": "viewer"}',
     '{"full_name": "Test Viewer"}'),
    ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-000000000002',
     'authenticated', 'authenticated', 'engineer@workbench.local', now(),
     '{"provider": "email", "providers": ["email"], "role": "engineer"}',
     '{"full_name": "Test Engineer"}'),
    ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-000000000003',
     'authenticated', 'authenticated', 'admin@workbench.local', now(),
     '{"provider": "email", "providers": ["email"], "role": "admin"}',
     '{"full_name": "Test Admin"}'),
    ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-000000000004',
     'authenticated', 'authenticated', 'service@workbench.local', now(),
     '{"provider": "email", "providers": ["email"], "role": "service"}',
     '{"full_name": "Automation Service"}')
on conflict do nothing;
