-- workbench:amends sha256:27a2bd1df3363a79c0202b34c764fa3a69a00a5f39c23c45eeb68e1127d42214
--   (the version without the ENABLE ROW LEVEL SECURITY statements: databases
--   that ran it got RLS from the supabase_rls step; see supabase_migration docs)
-- =============================================================================
-- 001_metadata_schema.sql — AI Workbench metadata schema (ip_workbench)
--
-- 18 tables in seven groups:
--   catalog       domains, tables, table_metadata
--   pipelines     pipelines, pipeline_steps, jobs, job_runs
--   data quality  tests, test_runs
--   lineage       lineage_edges
--   AI assist     agents, agent_bindings, agent_runs, llm_requests
--   SQL editor    sql_snippets, query_history
--   cost/audit    cost_tracker, activity_log
--
-- Conventions
--   * id uuid primary key default gen_random_uuid() (core since PG 13).
--   * created_at / updated_at timestamptz; updated_at is maintained by the
--     trigger ip_workbench_private.set_updated_at() on every table.
--   * People are referenced by their Supabase auth user id, but WITHOUT a
--     foreign key: auth.users belongs to Supabase, not to this project.
--       owner_id  the user accountable for a definition (table, pipeline, ...)
--       user_id   the user a personal or event row belongs to
--                 (sql_snippets, query_history, agent_runs, llm_requests,
--                  cost_tracker, activity_log)
--   * Enumerations are text + CHECK (cheap to extend in a later migration,
--     unlike enum types).
--   * Foreign keys:
--       - parts of a definition CASCADE with it (steps, jobs, metadata,
--         bindings);
--       - run history RESTRICTs the deletion of what it ran (job_runs,
--         test_runs, agent_runs): retire a definition with enabled = false
--         instead of deleting it, so history is never removed by a cascade;
--       - optional links to other objects SET NULL;
--       - a domain holding tables or pipelines cannot be dropped (RESTRICT).
--   * Every foreign key column is the leading column of an index (deletes of
--     the parent would otherwise scan the child), every column an RLS policy
--     filters on (user_id) leads a btree index, and time-ordered lists have a
--     created_at index.
--
-- Row-level security is enabled on each table right after its CREATE TABLE,
-- before 003_access_control.sql grants anything, so no table is ever reachable
-- without it: until the policies from files/sql/rls_policies.yml are applied
-- (the supabase_rls step), signed-in users see no row and every write fails.
-- Access control (grants) is in 003_access_control.sql.
--
-- Runs once, inside the migration runner's transaction: no BEGIN/COMMIT here.
-- =============================================================================

create schema ip_workbench;
comment on schema ip_workbench is
    'AI Workbench metadata: catalog, pipelines, data quality, lineage, AI assist, SQL editor, cost and audit.';

-- Private schema for helpers that must not be reachable through the API.
-- 003_access_control.sql adds the RLS helper functions to it.
create schema if not exists ip_workbench_private;
revoke all on schema ip_workbench_private from public;
comment on schema ip_workbench_private is
    'Not exposed through the API. Trigger and RLS helper functions.';


-- -----------------------------------------------------------------------------
-- updated_at maintenance
-- Trigger functions are invoked without privilege checks, so nobody needs
-- EXECUTE on it.
-- -----------------------------------------------------------------------------
create function ip_workbench_private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    new.updated_at := now();
    return new;
end;
$$;

revoke all on function ip_workbench_private.set_updated_at() from public;
comment on function ip_workbench_private.set_updated_at() is
    'BEFORE UPDATE trigger: stamps updated_at with the transaction time.';


-- =============================================================================
-- Catalog
-- =============================================================================

-- Business domains group tables, pipelines and snippets.
create table ip_workbench.domains (
    id            uuid        primary key default gen_random_uuid(),
    name          text        not null,
    display_name  text        not null,
    description   text,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint domains_name_key unique (name),
    constraint domains_name_format check (name ~ '^[a-z][a-z0-9_-]{1,62}$')
);
alter table ip_workbench.domains enable row level security;
comment on table ip_workbench.domains is 'Business domains (finance, scout, operations, ai).';

-- One row per catalogued relation (any schema, any medallion layer).
create table ip_workbench.tables (
    id                uuid        primary key default gen_random_uuid(),
    domain_id         uuid        not null references ip_workbench.domains (id) on delete restrict,
    schema_name       text        not null,
    table_name        text        not null,
    layer             text        not null,
    table_type        text        not null default 'table',
    description       text,
    owner_id          uuid,
    row_count         bigint,
    size_bytes        bigint,
    last_profiled_at  timestamptz,
    tags              text[]      not null default '{}',
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    constraint tables_schema_table_key unique (schema_name, table_name),
    constraint tables_layer_check
        check (layer in ('bronze', 'silver', 'gold', 'platinum', 'metadata', 'external')),
    constraint tables_table_type_check
        check (table_type in ('table', 'view', 'materialized_view', 'foreign_table')),
    constraint tables_row_count_check  check (row_count  is null or row_count  >= 0),
    constraint tables_size_bytes_check check (size_bytes is null or size_bytes >= 0)
);
alter table ip_workbench.tables enable row level security;
comment on table ip_workbench.tables is 'Data catalog: one row per catalogued table or view.';

create index tables_domain_id_idx on ip_workbench.tables (domain_id);
create index tables_owner_id_idx  on ip_workbench.tables (owner_id) where owner_id is not null;

-- Key/value metadata about a table (column_name is null) or one of its columns.
create table ip_workbench.table_metadata (
    id           uuid        primary key default gen_random_uuid(),
    table_id     uuid        not null references ip_workbench.tables (id) on delete cascade,
    column_name  text,
    key          text        not null,
    value        jsonb       not null,
    source       text        not null default 'manual',
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    -- NULLS NOT DISTINCT (PG 15): a table-level key may exist only once too.
    constraint table_metadata_entry_key unique nulls not distinct (table_id, column_name, key),
    constraint table_metadata_source_check
        check (source in ('manual', 'profiler', 'agent', 'import'))
);
alter table ip_workbench.table_metadata enable row level security;
comment on table ip_workbench.table_metadata is
    'Key/value metadata (classification, PII flags, profiling stats, ...) per table or column.';
-- table_id is covered by table_metadata_entry_key.


-- =============================================================================
-- Pipelines
-- =============================================================================

create table ip_workbench.pipelines (
    id           uuid        primary key default gen_random_uuid(),
    name         text        not null,
    domain_id    uuid        not null references ip_workbench.domains (id) on delete restrict,
    description  text,
    enabled      boolean     not null default true,
    config       jsonb       not null default '{}',
    version      integer     not null default 1,
    owner_id     uuid,
    tags         text[]      not null default '{}',
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    constraint pipelines_name_key unique (name),
    constraint pipelines_version_check check (version > 0)
);
alter table ip_workbench.pipelines enable row level security;
comment on table ip_workbench.pipelines is
    'SQL pipelines. Executed step by step (pipeline_steps, by step_order) by the n8n pipeline-trigger workflow.';

create index pipelines_domain_id_idx on ip_workbench.pipelines (domain_id);
create index pipelines_owner_id_idx  on ip_workbench.pipelines (owner_id) where owner_id is not null;

create table ip_workbench.pipeline_steps (
    id                 uuid        primary key default gen_random_uuid(),
    pipeline_id        uuid        not null references ip_workbench.pipelines (id) on delete cascade,
    step_order         integer     not null,
    name               text        not null,
    description        text,
    sql                text        not null,
    target_table_id    uuid        references ip_workbench.tables (id) on delete set null,
    timeout_seconds    integer     not null default 300,
    continue_on_error  boolean     not null default false,
    enabled            boolean     not null default true,
    created_at         timestamptz not null default now(),
    updated_at         timestamptz not null default now(),
    -- Not DEFERRABLE on purpose: a deferrable constraint cannot be an
    -- ON CONFLICT arbiter.  Reorder steps with a two-step update.
    constraint pipeline_steps_order_key unique (pipeline_id, step_order),
    constraint pipeline_steps_name_key  unique (pipeline_id, name),
    constraint pipeline_steps_step_order_check check (step_order > 0),
    constraint pipeline_steps_sql_check check (btrim(sql) <> ''),
    constraint pipeline_steps_timeout_check check (timeout_seconds between 1 and 86400)
);
alter table ip_workbench.pipeline_steps enable row level security;
comment on table ip_workbench.pipeline_steps is 'Ordered SQL steps of a pipeline.';
-- pipeline_id is covered by pipeline_steps_order_key.
create index pipeline_steps_target_table_id_idx
    on ip_workbench.pipeline_steps (target_table_id) where target_table_id is not null;

-- A job is a schedule (or a named parameter set) for a pipeline.
create table ip_workbench.jobs (
    id               uuid        primary key default gen_random_uuid(),
    pipeline_id      uuid        not null references ip_workbench.pipelines (id) on delete cascade,
    name             text        not null,
    schedule         text,
    timezone         text        not null default 'Asia/Manila',
    parameters       jsonb       not null default '{}',
    enabled          boolean     not null default true,
    max_retries      smallint    not null default 0,
    timeout_seconds  integer     not null default 3600,
    owner_id         uuid,
    last_run_at      timestamptz,
    next_run_at      timestamptz,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    constraint jobs_pipeline_name_key unique (pipeline_id, name),
    -- 5-field cron, or 6 with seconds; null = manual/webhook only.
    constraint jobs_schedule_check
        check (schedule is null or schedule ~ '^\s*\S+(\s+\S+){4,5}\s*$'),
    constraint jobs_max_retries_check check (max_retries between 0 and 10),
    constraint jobs_timeout_check check (timeout_seconds between 1 and 86400)
);
alter table ip_workbench.jobs enable row level security;
comment on table ip_workbench.jobs is 'Schedules / parameter sets for pipelines (cron in the given time zone).';
-- pipeline_id is covered by jobs_pipeline_name_key.
-- Scheduler poll: where enabled and next_run_at <= now().
create index jobs_next_run_at_idx on ip_workbench.jobs (next_run_at) where enabled;
create index jobs_owner_id_idx    on ip_workbench.jobs (owner_id) where owner_id is not null;

create table ip_workbench.job_runs (
    id               uuid        primary key default gen_random_uuid(),
    pipeline_id      uuid        not null references ip_workbench.pipelines (id) on delete restrict,
    job_id           uuid        references ip_workbench.jobs (id) on delete set null,
    status           text        not null default 'queued',
    triggered_by     text,
    parameters       jsonb       not null default '{}',
    started_at       timestamptz,
    finished_at      timestamptz,
    steps_total      integer,
    steps_completed  integer     not null default 0,
    rows_affected    bigint,
    step_results     jsonb       not null default '[]',
    error            text,
    external_run_id  text,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    constraint job_runs_status_check
        check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    constraint job_runs_time_order_check
        check (finished_at is null or started_at is null or finished_at >= started_at),
    constraint job_runs_steps_check
        check (steps_completed >= 0 and (steps_total is null or steps_completed <= steps_total))
);
alter table ip_workbench.job_runs enable row level security;
comment on table ip_workbench.job_runs is
    'One execution of a pipeline. triggered_by is free text (user email, "schedule", "n8n:webhook"); '
    'external_run_id holds the n8n execution id.';
comment on column ip_workbench.job_runs.job_id is 'Null for ad-hoc runs (webhook/manual).';

-- "Runs of this pipeline, newest first" (also serves the pipeline_id FK).
create index job_runs_pipeline_id_created_at_idx on ip_workbench.job_runs (pipeline_id, created_at desc);
create index job_runs_job_id_idx     on ip_workbench.job_runs (job_id) where job_id is not null;
-- Active runs only: small, and what monitors poll.
create index job_runs_status_active_idx
    on ip_workbench.job_runs (status) where status in ('queued', 'running');
create index job_runs_created_at_idx on ip_workbench.job_runs (created_at desc);


-- =============================================================================
-- Data quality
-- =============================================================================

create table ip_workbench.tests (
    id           uuid        primary key default gen_random_uuid(),
    table_id     uuid        not null references ip_workbench.tables (id) on delete cascade,
    name         text        not null,
    description  text,
    test_type    text        not null,
    column_name  text,
    config       jsonb       not null default '{}',
    sql          text,
    severity     text        not null default 'error',
    enabled      boolean     not null default true,
    owner_id     uuid,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    constraint tests_table_name_key unique (table_id, name),
    constraint tests_test_type_check check (test_type in
        ('not_null', 'unique', 'accepted_values', 'relationships', 'row_count', 'freshness', 'custom_sql')),
    constraint tests_severity_check check (severity in ('info', 'warn', 'error')),
    -- custom_sql tests return the failing rows of their query.
    constraint tests_custom_sql_check check (test_type <> 'custom_sql' or sql is not null)
);
alter table ip_workbench.tests enable row level security;
comment on table ip_workbench.tests is 'Data quality tests on catalogued tables.';
-- table_id is covered by tests_table_name_key.
create index tests_owner_id_idx on ip_workbench.tests (owner_id) where owner_id is not null;

create table ip_workbench.test_runs (
    id            uuid        primary key default gen_random_uuid(),
    test_id       uuid        not null references ip_workbench.tests (id) on delete restrict,
    job_run_id    uuid        references ip_workbench.job_runs (id) on delete set null,
    status        text        not null default 'queued',
    started_at    timestamptz,
    finished_at   timestamptz,
    failing_rows  bigint,
    result        jsonb       not null default '{}',
    error         text,
    created_at    timestamptz not null default now(),
    updated_at    timestamptz not null default now(),
    constraint test_runs_status_check
        check (status in ('queued', 'running', 'passed', 'failed', 'error', 'skipped')),
    constraint test_runs_time_order_check
        check (finished_at is null or started_at is null or finished_at >= started_at),
    constraint test_runs_failing_rows_check check (failing_rows is null or failing_rows >= 0)
);
alter table ip_workbench.test_runs enable row level security;
comment on table ip_workbench.test_runs is 'Results of data quality tests, optionally inside a pipeline run.';

create index test_runs_test_id_created_at_idx on ip_workbench.test_runs (test_id, created_at desc);
create index test_runs_job_run_id_idx on ip_workbench.test_runs (job_run_id) where job_run_id is not null;
create index test_runs_status_active_idx
    on ip_workbench.test_runs (status) where status in ('queued', 'running');
create index test_runs_created_at_idx on ip_workbench.test_runs (created_at desc);


-- =============================================================================
-- Lineage
-- =============================================================================

create table ip_workbench.lineage_edges (
    id               uuid        primary key default gen_random_uuid(),
    source_table_id  uuid        not null references ip_workbench.tables (id) on delete cascade,
    target_table_id  uuid        not null references ip_workbench.tables (id) on delete cascade,
    pipeline_id      uuid        references ip_workbench.pipelines (id) on delete set null,
    edge_type        text        not null default 'transform',
    column_mapping   jsonb       not null default '{}',
    description      text,
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    constraint lineage_edges_edge_key
        unique nulls not distinct (source_table_id, target_table_id, pipeline_id),
    constraint lineage_edges_no_self_loop check (source_table_id <> target_table_id),
    constraint lineage_edges_edge_type_check
        check (edge_type in ('copy', 'transform', 'aggregate', 'join', 'derive'))
);
alter table ip_workbench.lineage_edges enable row level security;
comment on table ip_workbench.lineage_edges is
    'Table-level lineage: source feeds target, optionally through a pipeline. Column detail in column_mapping.';
-- Downstream walks use lineage_edges_edge_key (source first); upstream walks:
create index lineage_edges_target_table_id_idx on ip_workbench.lineage_edges (target_table_id);
create index lineage_edges_pipeline_id_idx
    on ip_workbench.lineage_edges (pipeline_id) where pipeline_id is not null;


-- =============================================================================
-- AI assist
-- =============================================================================

create table ip_workbench.agents (
    id             uuid          primary key default gen_random_uuid(),
    name           text          not null,
    description    text,
    model          text          not null,
    system_prompt  text,
    tools          jsonb         not null default '[]',
    temperature    numeric(3, 2) not null default 0.20,
    max_tokens     integer       not null default 4096,
    enabled        boolean       not null default true,
    owner_id       uuid,
    created_at     timestamptz   not null default now(),
    updated_at     timestamptz   not null default now(),
    constraint agents_name_key unique (name),
    constraint agents_temperature_check check (temperature between 0 and 2),
    constraint agents_max_tokens_check check (max_tokens between 1 and 1000000)
);
alter table ip_workbench.agents enable row level security;
comment on table ip_workbench.agents is 'AI assistants. model is a LiteLLM gateway model name.';
create index agents_owner_id_idx on ip_workbench.agents (owner_id) where owner_id is not null;

-- What an agent may work on: exactly one domain, table or pipeline per row.
create table ip_workbench.agent_bindings (
    id           uuid        primary key default gen_random_uuid(),
    agent_id     uuid        not null references ip_workbench.agents (id) on delete cascade,
    scope        text        not null,
    domain_id    uuid        references ip_workbench.domains (id) on delete cascade,
    table_id     uuid        references ip_workbench.tables (id) on delete cascade,
    pipeline_id  uuid        references ip_workbench.pipelines (id) on delete cascade,
    permissions  text[]      not null default '{read}',
    config       jsonb       not null default '{}',
    enabled      boolean     not null default true,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    constraint agent_bindings_target_key
        unique nulls not distinct (agent_id, domain_id, table_id, pipeline_id),
    constraint agent_bindings_scope_check check (
           (scope = 'domain'   and domain_id   is not null and table_id is null and pipeline_id is null)
        or (scope = 'table'    and table_id    is not null and domain_id is null and pipeline_id is null)
        or (scope = 'pipeline' and pipeline_id is not null and domain_id is null and table_id is null)),
    constraint agent_bindings_permissions_check
        check (cardinality(permissions) > 0
               and permissions <@ array['read', 'suggest', 'write', 'execute']::text[])
);
alter table ip_workbench.agent_bindings enable row level security;
comment on table ip_workbench.agent_bindings is 'Scope and permissions of an agent on a domain, table or pipeline.';
-- agent_id is covered by agent_bindings_target_key.
create index agent_bindings_domain_id_idx
    on ip_workbench.agent_bindings (domain_id) where domain_id is not null;
create index agent_bindings_table_id_idx
    on ip_workbench.agent_bindings (table_id) where table_id is not null;
create index agent_bindings_pipeline_id_idx
    on ip_workbench.agent_bindings (pipeline_id) where pipeline_id is not null;

create table ip_workbench.agent_runs (
    id                 uuid           primary key default gen_random_uuid(),
    agent_id           uuid           not null references ip_workbench.agents (id) on delete restrict,
    user_id            uuid,
    status             text           not null default 'queued',
    input              jsonb          not null default '{}',
    output             jsonb,
    error              text,
    started_at         timestamptz,
    finished_at        timestamptz,
    prompt_tokens      integer        not null default 0,
    completion_tokens  integer        not null default 0,
    cost_usd           numeric(12, 6) not null default 0,
    trace_id           text,
    created_at         timestamptz    not null default now(),
    updated_at         timestamptz    not null default now(),
    constraint agent_runs_status_check
        check (status in ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    constraint agent_runs_time_order_check
        check (finished_at is null or started_at is null or finished_at >= started_at),
    constraint agent_runs_tokens_check check (prompt_tokens >= 0 and completion_tokens >= 0),
    constraint agent_runs_cost_check check (cost_usd >= 0)
);
alter table ip_workbench.agent_runs enable row level security;
comment on table ip_workbench.agent_runs is
    'One invocation of an agent. user_id: who asked (null for automation). trace_id: Langfuse trace.';

create index agent_runs_agent_id_created_at_idx on ip_workbench.agent_runs (agent_id, created_at desc);
create index agent_runs_user_id_idx    on ip_workbench.agent_runs (user_id) where user_id is not null;
create index agent_runs_status_active_idx
    on ip_workbench.agent_runs (status) where status in ('queued', 'running');
create index agent_runs_created_at_idx on ip_workbench.agent_runs (created_at desc);

-- One call through the LiteLLM gateway (inside an agent run or not).
create table ip_workbench.llm_requests (
    id                  uuid           primary key default gen_random_uuid(),
    agent_run_id        uuid           references ip_workbench.agent_runs (id) on delete set null,
    user_id             uuid,
    model               text           not null,
    provider            text,
    fallback_from       text,
    gateway_request_id  text,
    status              text           not null default 'succeeded',
    prompt_tokens       integer        not null default 0,
    completion_tokens   integer        not null default 0,
    total_tokens        integer        generated always as (prompt_tokens + completion_tokens) stored,
    latency_ms          integer,
    cost_usd            numeric(12, 6) not null default 0,
    cache_hit           boolean        not null default false,
    error               text,
    metadata            jsonb          not null default '{}',
    created_at          timestamptz    not null default now(),
    updated_at          timestamptz    not null default now(),
    constraint llm_requests_gateway_request_id_key unique (gateway_request_id),
    constraint llm_requests_status_check
        check (status in ('succeeded', 'failed', 'rate_limited', 'timeout')),
    constraint llm_requests_tokens_check check (prompt_tokens >= 0 and completion_tokens >= 0),
    constraint llm_requests_latency_check check (latency_ms is null or latency_ms >= 0),
    constraint llm_requests_cost_check check (cost_usd >= 0)
);
alter table ip_workbench.llm_requests enable row level security;
comment on table ip_workbench.llm_requests is
    'LLM calls through the LiteLLM gateway. fallback_from: the model that failed before this one answered.';

create index llm_requests_agent_run_id_idx
    on ip_workbench.llm_requests (agent_run_id) where agent_run_id is not null;
create index llm_requests_user_id_idx on ip_workbench.llm_requests (user_id) where user_id is not null;
create index llm_requests_model_created_at_idx on ip_workbench.llm_requests (model, created_at desc);
create index llm_requests_created_at_idx on ip_workbench.llm_requests (created_at desc);


-- =============================================================================
-- SQL editor (per-user rows: RLS filters on user_id)
-- =============================================================================

create table ip_workbench.sql_snippets (
    id           uuid        primary key default gen_random_uuid(),
    user_id      uuid        not null,
    name         text        not null,
    description  text,
    sql          text        not null,
    domain_id    uuid        references ip_workbench.domains (id) on delete set null,
    tags         text[]      not null default '{}',
    is_favorite  boolean     not null default false,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    constraint sql_snippets_user_name_key unique (user_id, name)
);
alter table ip_workbench.sql_snippets enable row level security;
comment on table ip_workbench.sql_snippets is 'Saved SQL of one user (RLS: own rows; admin all).';
-- user_id (the RLS column) leads sql_snippets_user_name_key; the list view
-- "my snippets, most recently edited first" has its own index.
create index sql_snippets_user_id_updated_at_idx on ip_workbench.sql_snippets (user_id, updated_at desc);
create index sql_snippets_domain_id_idx
    on ip_workbench.sql_snippets (domain_id) where domain_id is not null;

create table ip_workbench.query_history (
    id             uuid        primary key default gen_random_uuid(),
    user_id        uuid        not null,
    snippet_id     uuid        references ip_workbench.sql_snippets (id) on delete set null,
    sql            text        not null,
    status         text        not null default 'running',
    rows_returned  bigint,
    duration_ms    integer,
    error          text,
    finished_at    timestamptz,
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    constraint query_history_status_check
        check (status in ('running', 'succeeded', 'failed', 'cancelled')),
    constraint query_history_rows_check check (rows_returned is null or rows_returned >= 0),
    constraint query_history_duration_check check (duration_ms is null or duration_ms >= 0)
);
alter table ip_workbench.query_history enable row level security;
comment on table ip_workbench.query_history is
    'Queries run in the SQL editor; created_at is the start time (RLS: own rows; admin all).';

create index query_history_user_id_created_at_idx on ip_workbench.query_history (user_id, created_at desc);
create index query_history_snippet_id_idx
    on ip_workbench.query_history (snippet_id) where snippet_id is not null;
create index query_history_created_at_idx on ip_workbench.query_history (created_at desc);


-- =============================================================================
-- Cost tracking and audit
-- =============================================================================

create table ip_workbench.cost_tracker (
    id              uuid           primary key default gen_random_uuid(),
    usage_date      date           not null default current_date,
    source          text           not null,
    provider        text           not null,
    model           text,
    agent_id        uuid           references ip_workbench.agents (id) on delete set null,
    pipeline_id     uuid           references ip_workbench.pipelines (id) on delete set null,
    llm_request_id  uuid           references ip_workbench.llm_requests (id) on delete set null,
    user_id         uuid,
    quantity        numeric(18, 6) not null default 0,
    unit            text           not null default 'tokens',
    cost_usd        numeric(14, 6) not null default 0,
    details         jsonb          not null default '{}',
    created_at      timestamptz    not null default now(),
    updated_at      timestamptz    not null default now(),
    constraint cost_tracker_source_check
        check (source in ('llm', 'compute', 'storage', 'database', 'network', 'other')),
    constraint cost_tracker_quantity_check check (quantity >= 0),
    constraint cost_tracker_cost_check check (cost_usd >= 0)
);
alter table ip_workbench.cost_tracker enable row level security;
comment on table ip_workbench.cost_tracker is
    'Cost line items in USD (LLM tokens, DigitalOcean/Supabase usage), attributable to agent, pipeline or user.';

-- Daily/monthly rollups by source.
create index cost_tracker_usage_date_source_idx on ip_workbench.cost_tracker (usage_date, source);
create index cost_tracker_agent_id_idx
    on ip_workbench.cost_tracker (agent_id) where agent_id is not null;
create index cost_tracker_pipeline_id_idx
    on ip_workbench.cost_tracker (pipeline_id) where pipeline_id is not null;
create index cost_tracker_llm_request_id_idx
    on ip_workbench.cost_tracker (llm_request_id) where llm_request_id is not null;
create index cost_tracker_user_id_idx
    on ip_workbench.cost_tracker (user_id) where user_id is not null;

-- Append-only audit trail (only admin may change or remove rows; see RLS spec).
create table ip_workbench.activity_log (
    id           uuid        primary key default gen_random_uuid(),
    user_id      uuid,
    actor        text,
    action       text        not null,
    entity_type  text,
    entity_id    uuid,
    details      jsonb       not null default '{}',
    ip_address   inet,
    user_agent   text,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    constraint activity_log_action_check check (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$')
);
alter table ip_workbench.activity_log enable row level security;
comment on table ip_workbench.activity_log is
    'Audit trail. user_id null = system event. action is dotted, e.g. pipeline.run, expense.approve.';

-- user_id is an RLS column (members read their own activity), newest first.
create index activity_log_user_id_created_at_idx on ip_workbench.activity_log (user_id, created_at desc);
create index activity_log_entity_idx on ip_workbench.activity_log (entity_type, entity_id);
create index activity_log_created_at_idx on ip_workbench.activity_log (created_at desc);


-- =============================================================================
-- updated_at triggers (one per table)
-- =============================================================================
do $$
declare
    t text;
begin
    foreach t in array array[
        'domains', 'tables', 'table_metadata',
        'pipelines', 'pipeline_steps', 'jobs', 'job_runs',
        'tests', 'test_runs', 'lineage_edges',
        'agents', 'agent_bindings', 'agent_runs', 'llm_requests',
        'sql_snippets', 'query_history', 'cost_tracker', 'activity_log']
    loop
        execute format(
            'create trigger set_updated_at before update on ip_workbench.%I '
            'for each row execute function ip_workbench_private.set_updated_at()', t);
    end loop;
end
$$;


-- =============================================================================
-- Seed data: the four business domains
-- =============================================================================
insert into ip_workbench.domains (name, display_name, description)
values
    ('finance',    'Finance',          'Expenses, approvals, BIR withholding and VAT reporting.'),
    ('scout',      'Scout Retail',     'Scout retail transactions and sales analytics.'),
    ('operations', 'Operations',       'Platform operations: pipelines, jobs, infrastructure and cost.'),
    ('ai',         'AI & Automation',  'Agents, LLM usage and automation workflows.')
on conflict (name) do nothing;
