-- =============================================================================
-- 004_automation_roles.sql — least-privilege database roles for automation
--
-- No automation connects as the database owner.  n8n gets three login roles,
-- one per job, and the SQL of a pipeline step runs as a fourth role that can
-- only do what medallion transforms need:
--
--   workbench_automation        n8n "Workbench Postgres": the pipeline-trigger
--                               workflow's bookkeeping.  Reads pipelines and
--                               the step list (never the step SQL), creates and
--                               updates job_runs.  Nothing else.
--   workbench_expense_approver  n8n "Workbench Expenses": reads the expense
--                               columns the approval needs and updates only the
--                               decision columns of a pending expense.
--   workbench_pipeline          n8n "Workbench Pipeline Runner": a login with
--                               no privileges of its own (NOINHERIT).  It may
--                               only call ip_workbench_runner.run_step(), which
--                               switches to workbench_pipeline_runner for the
--                               step (SET LOCAL ROLE), so a step that resets
--                               its role lands on a role that can do nothing.
--   workbench_pipeline_runner   NOLOGIN.  Reads bronze and silver, writes silver
--                               and gold, refreshes platinum through
--                               platinum.refresh_materialized_views().  No
--                               BYPASSRLS, no DDL (CREATE on no schema), no
--                               access to auth, ip_workbench,
--                               ip_workbench_private, supabase_migrations.
--   workbench_n8n               n8n's own storage (production): it owns the
--                               n8n schema and nothing else (the supabase_role
--                               module gives it that schema).
--
-- The roles are created here NOLOGIN and without passwords; the
-- supabase_schema role turns LOGIN on and sets the passwords (from vault in
-- production, generated under .workbench/ locally) with the supabase_role
-- module, so no secret is ever part of a migration.
--
-- Row-level security stays on for every role here (none has BYPASSRLS): their
-- policies are in files/sql/rls_policies.yml, TO exactly these roles.
--
-- Runs once, inside the migration runner's transaction: no BEGIN/COMMIT here.
-- =============================================================================

do $$
declare
    r text;
begin
    foreach r in array array['workbench_automation', 'workbench_expense_approver', 'workbench_pipeline',
                             'workbench_pipeline_runner', 'workbench_n8n']
    loop
        if not exists (select 1 from pg_catalog.pg_roles where rolname = r) then
            execute format('create role %I nologin noinherit nocreatedb nocreaterole nobypassrls noreplication', r);
        end if;
    end loop;
end
$$;

-- The login that runs steps holds nothing itself; it reaches the runner's
-- privileges only through SET ROLE (NOINHERIT), inside run_step().
grant workbench_pipeline_runner to workbench_pipeline;


-- -----------------------------------------------------------------------------
-- workbench_pipeline_runner: the medallion transforms
-- -----------------------------------------------------------------------------
grant usage on schema bronze, silver, gold to workbench_pipeline_runner;
grant select on all tables in schema bronze, silver, gold to workbench_pipeline_runner;
grant insert, update, delete on all tables in schema silver, gold to workbench_pipeline_runner;
-- platinum: only through the refresh function (SECURITY DEFINER, owner's rights).
grant usage on schema platinum to workbench_pipeline_runner;
grant execute on function platinum.refresh_materialized_views() to workbench_pipeline_runner;


-- -----------------------------------------------------------------------------
-- workbench_automation: pipeline-trigger bookkeeping
-- -----------------------------------------------------------------------------
grant usage on schema ip_workbench to workbench_automation;
grant select (id, name, enabled) on ip_workbench.pipelines to workbench_automation;
grant select (id, pipeline_id, step_order, name, timeout_seconds, continue_on_error, enabled)
    on ip_workbench.pipeline_steps to workbench_automation;
grant select, insert on ip_workbench.job_runs to workbench_automation;
grant update (status, finished_at, steps_completed, step_results, error, rows_affected)
    on ip_workbench.job_runs to workbench_automation;


-- -----------------------------------------------------------------------------
-- workbench_expense_approver: the expense-approval decision, nothing more
-- -----------------------------------------------------------------------------
grant usage on schema silver to workbench_expense_approver;
grant select (id, expense_number, agency, category, employee_email, employee_name, amount, currency,
              amount_php, status, approved_by, approved_at)
    on silver.expenses to workbench_expense_approver;
grant update (status, approved_by, approved_at, approval_note) on silver.expenses to workbench_expense_approver;


-- -----------------------------------------------------------------------------
-- ip_workbench_runner: the only door through which step SQL runs
--
-- Not an exposed schema; USAGE for workbench_pipeline only.
--
-- step_definition(step)  SECURITY DEFINER: the SQL and timeout of an enabled
--                        step of an enabled pipeline (NULL otherwise).  The SQL
--                        never travels through n8n.
-- run_step(step)         SECURITY INVOKER (a definer function cannot SET
--                        ROLE): SET LOCAL ROLE workbench_pipeline_runner, then
--                        the step's SQL in a subtransaction.  A failure rolls
--                        the whole step back and is returned, with its SQLSTATE,
--                        as {"status": "failed", "sqlstate", "error"}; success
--                        returns {"status": "succeeded", "rows_affected"}.
--                        Transaction control inside a step is refused by
--                        PL/pgSQL itself (0A000), so a step cannot commit half
--                        of itself or leave the role switch.
--
-- The caller sets statement_timeout (the step's) and lock_timeout with SET
-- LOCAL in the same transaction, before calling run_step(): the timer of a
-- statement is armed when it starts, so a step that changes statement_timeout
-- cannot lift its own limit.
-- -----------------------------------------------------------------------------
create schema if not exists ip_workbench_runner;
revoke all on schema ip_workbench_runner from public;
comment on schema ip_workbench_runner is
    'Runs pipeline steps as workbench_pipeline_runner (004_automation_roles.sql). Not exposed to the API.';

create or replace function ip_workbench_runner.step_definition(p_step_id uuid)
returns table (step_sql text, timeout_seconds integer)
language sql
stable
security definer
set search_path = ''
as $$
    select s.sql, s.timeout_seconds
      from ip_workbench.pipeline_steps as s
      join ip_workbench.pipelines as p on p.id = s.pipeline_id
     where s.id = p_step_id
       and s.enabled
       and p.enabled
$$;

create or replace function ip_workbench_runner.run_step(p_step_id uuid)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    v_sql   text;
    v_rows  bigint;
    v_state text;
    v_error text;
begin
    select d.step_sql into v_sql from ip_workbench_runner.step_definition(p_step_id) as d;
    if v_sql is null then
        return pg_catalog.jsonb_build_object('status', 'failed', 'sqlstate', 'P0002',
                                             'error', 'no enabled step ' || p_step_id::text || ' of an enabled pipeline');
    end if;

    -- SET LOCAL ROLE: undone when this transaction ends, whatever the step does.
    perform pg_catalog.set_config('role', 'workbench_pipeline_runner', true);
    -- The step's own statements see the public search path, like a psql session.
    perform pg_catalog.set_config('search_path', 'public', true);
    begin
        execute v_sql;
        get diagnostics v_rows = row_count;
    exception
        when query_canceled then
            get stacked diagnostics v_state = returned_sqlstate, v_error = message_text;
            return pg_catalog.jsonb_build_object('status', 'failed', 'sqlstate', v_state, 'error', v_error);
        when others then
            get stacked diagnostics v_state = returned_sqlstate, v_error = message_text;
            return pg_catalog.jsonb_build_object('status', 'failed', 'sqlstate', v_state, 'error', v_error);
    end;
    return pg_catalog.jsonb_build_object('status', 'succeeded', 'rows_affected', v_rows);
end
$$;

revoke all on function ip_workbench_runner.step_definition(uuid) from public;
revoke all on function ip_workbench_runner.run_step(uuid) from public;
grant usage on schema ip_workbench_runner to workbench_pipeline;
grant execute on function ip_workbench_runner.step_definition(uuid), ip_workbench_runner.run_step(uuid)
    to workbench_pipeline;
