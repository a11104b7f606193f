-- =============================================================================
-- access_fixtures.sql — one addressable row per table for the access matrix
-- (roles/verify/files/access_matrix.yml), the fixtures_file of
-- insightpulseai.workbench.supabase_access_info.
--
-- The module runs it as the connecting user (the table owner, e.g. postgres on
-- Supabase: RLS is not forced for the owner) inside the one transaction it
-- always rolls back, so nothing here is ever committed. The fixed ids below
-- must not exist in the database yet (a conflict fails the run, changing
-- nothing). tests/integration/supabase/test_supabase_schema_access_matrix.py
-- uses these rows too.
--
-- UUID scheme (TT = table number below, I = identity 1..4)
--   f0000000-0000-4000-8000-0000000000TT   the TARGET row of table TT: the row
--                                           the matrix selects, updates and
--                                           deletes.  Nothing references a
--                                           target row, so any allowed DELETE
--                                           succeeds.
--   f1000000-0000-4000-8000-000000000nTT   PARENT rows that targets and the
--                                           INSERT values in
--                                           access_matrix_rows.yml point at.
--   f2000000-0000-4000-8000-0000000TT00I   per-user rows of identity I in the
--                                           own-rows tables (15, 16).
--
--   01 domains       07 job_runs        13 agent_runs     21 bronze.scout_transactions_raw
--   02 tables        08 tests           14 llm_requests   22 bronze.expenses_raw
--   03 table_meta.   09 test_runs       15 sql_snippets   31 silver.scout_transactions
--   04 pipelines     10 lineage_edges   16 query_history  32 silver.expenses
--   05 pipeline_st.  11 agents          17 cost_tracker   41 gold.finance_expenses
--   06 jobs          12 agent_bindings  18 activity_log   42 gold.scout_sales
--
-- Identities (002_test_users.sql): 00000000-0000-4000-8000-00000000000I with
-- I = 1 viewer, 2 engineer, 3 admin, 4 service.
-- =============================================================================

-- -----------------------------------------------------------------------------
-- Parents
-- -----------------------------------------------------------------------------
insert into ip_workbench.domains (id, name, display_name, description) values
    ('f1000000-0000-4000-8000-000000000001', 'fixture-parent', 'Fixture Parent', 'Parent of the fixture rows.');

insert into ip_workbench.tables (id, domain_id, schema_name, table_name, layer, description) values
    ('f1000000-0000-4000-8000-000000000002', 'f1000000-0000-4000-8000-000000000001',
     'fixture', 'parent_source', 'bronze', 'Lineage source / test subject.'),
    ('f1000000-0000-4000-8000-000000000102', 'f1000000-0000-4000-8000-000000000001',
     'fixture', 'parent_target', 'silver', 'Lineage target.');

insert into ip_workbench.pipelines (id, name, domain_id, description) values
    ('f1000000-0000-4000-8000-000000000004', 'fixture-pipeline-parent',
     'f1000000-0000-4000-8000-000000000001', 'Parent of steps, jobs and runs.');

insert into ip_workbench.tests (id, table_id, name, test_type, column_name) values
    ('f1000000-0000-4000-8000-000000000008', 'f1000000-0000-4000-8000-000000000002',
     'parent_id_unique', 'unique', 'id');

insert into ip_workbench.agents (id, name, model, description) values
    ('f1000000-0000-4000-8000-000000000011', 'fixture-agent-parent', 'claude-sonnet-4-5', 'Parent of bindings and runs.');

-- Two approved expenses: one feeds the gold target row, the other is free for
-- the gold INSERT test (gold.finance_expenses.expense_id is unique).
insert into silver.expenses
    (id, expense_number, agency, employee_email, expense_date, category, amount,
     vat_type, vat_amount, status, approved_by, approved_at)
values
    ('f1000000-0000-4000-8000-000000000032', 'EXP-FX-0002', 'Fixture Agency', 'engineer@workbench.local',
     '2025-01-12', 'Travel', 1500.00, 'vatable', 160.71, 'approved', 'admin@workbench.local', '2025-01-13 09:00+08'),
    ('f1000000-0000-4000-8000-000000000132', 'EXP-FX-0003', 'Matrix Agency', 'engineer@workbench.local',
     '2025-02-01', 'Meals', 250.50, 'non_vat', 0, 'approved', 'admin@workbench.local', '2025-02-02 09:00+08');


-- -----------------------------------------------------------------------------
-- Targets: ip_workbench
-- -----------------------------------------------------------------------------
insert into ip_workbench.domains (id, name, display_name) values
    ('f0000000-0000-4000-8000-000000000001', 'fixture-domain', 'Fixture Domain');

insert into ip_workbench.tables (id, domain_id, schema_name, table_name, layer) values
    ('f0000000-0000-4000-8000-000000000002', 'f1000000-0000-4000-8000-000000000001',
     'fixture', 'target_table', 'silver');

insert into ip_workbench.table_metadata (id, table_id, column_name, key, value) values
    ('f0000000-0000-4000-8000-000000000003', 'f1000000-0000-4000-8000-000000000002',
     'amount', 'pii', 'false');

insert into ip_workbench.pipelines (id, name, domain_id) values
    ('f0000000-0000-4000-8000-000000000004', 'fixture-pipeline-target', 'f1000000-0000-4000-8000-000000000001');

insert into ip_workbench.pipeline_steps (id, pipeline_id, step_order, name, sql) values
    ('f0000000-0000-4000-8000-000000000005', 'f1000000-0000-4000-8000-000000000004',
     1, 'extract', 'select 1');

insert into ip_workbench.jobs (id, pipeline_id, name, schedule) values
    ('f0000000-0000-4000-8000-000000000006', 'f1000000-0000-4000-8000-000000000004',
     'nightly', '0 2 * * *');

insert into ip_workbench.job_runs (id, pipeline_id, status, triggered_by, started_at, finished_at) values
    ('f0000000-0000-4000-8000-000000000007', 'f1000000-0000-4000-8000-000000000004',
     'succeeded', 'fixture', '2025-01-15 02:00+08', '2025-01-15 02:01+08');

insert into ip_workbench.tests (id, table_id, name, test_type, column_name) values
    ('f0000000-0000-4000-8000-000000000008', 'f1000000-0000-4000-8000-000000000002',
     'amount_not_null', 'not_null', 'amount');

insert into ip_workbench.test_runs (id, test_id, status, failing_rows) values
    ('f0000000-0000-4000-8000-000000000009', 'f1000000-0000-4000-8000-000000000008', 'passed', 0);

insert into ip_workbench.lineage_edges (id, source_table_id, target_table_id, pipeline_id, edge_type) values
    ('f0000000-0000-4000-8000-000000000010', 'f1000000-0000-4000-8000-000000000002',
     'f1000000-0000-4000-8000-000000000102', 'f1000000-0000-4000-8000-000000000004', 'transform');

insert into ip_workbench.agents (id, name, model) values
    ('f0000000-0000-4000-8000-000000000011', 'fixture-agent-target', 'claude-sonnet-4-5');

insert into ip_workbench.agent_bindings (id, agent_id, scope, pipeline_id, permissions) values
    ('f0000000-0000-4000-8000-000000000012', 'f1000000-0000-4000-8000-000000000011',
     'pipeline', 'f1000000-0000-4000-8000-000000000004', '{read,suggest}');

insert into ip_workbench.agent_runs (id, agent_id, user_id, status, input) values
    ('f0000000-0000-4000-8000-000000000013', 'f1000000-0000-4000-8000-000000000011',
     '00000000-0000-4000-8000-000000000001', 'succeeded', '{"question": "fixture"}');

insert into ip_workbench.llm_requests
    (id, model, provider, gateway_request_id, prompt_tokens, completion_tokens, cost_usd)
values
    ('f0000000-0000-4000-8000-000000000014', 'claude-sonnet-4-5', 'anthropic', 'fixture-request-1', 100, 50, 0.00105);

insert into ip_workbench.cost_tracker (id, usage_date, source, provider, model, quantity, unit, cost_usd) values
    ('f0000000-0000-4000-8000-000000000017', '2025-01-15', 'llm', 'anthropic', 'claude-sonnet-4-5',
     150, 'tokens', 0.00105);

-- A system event (user_id null): visible to admin only, not anyone's "own" row.
insert into ip_workbench.activity_log (id, user_id, actor, action, entity_type, entity_id) values
    ('f0000000-0000-4000-8000-000000000018', null, 'system', 'fixture.seed', 'pipeline',
     'f1000000-0000-4000-8000-000000000004');


-- -----------------------------------------------------------------------------
-- Per-user rows (own-rows tables): one per identity
-- -----------------------------------------------------------------------------
insert into ip_workbench.sql_snippets (id, user_id, name, sql) values
    ('f2000000-0000-4000-8000-000000001501', '00000000-0000-4000-8000-000000000001', 'fixture snippet', 'select 1'),
    ('f2000000-0000-4000-8000-000000001502', '00000000-0000-4000-8000-000000000002', 'fixture snippet', 'select 1'),
    ('f2000000-0000-4000-8000-000000001503', '00000000-0000-4000-8000-000000000003', 'fixture snippet', 'select 1'),
    ('f2000000-0000-4000-8000-000000001504', '00000000-0000-4000-8000-000000000004', 'fixture snippet', 'select 1');

insert into ip_workbench.query_history (id, user_id, sql, status, rows_returned, duration_ms) values
    ('f2000000-0000-4000-8000-000000001601', '00000000-0000-4000-8000-000000000001', 'select 1', 'succeeded', 1, 3),
    ('f2000000-0000-4000-8000-000000001602', '00000000-0000-4000-8000-000000000002', 'select 1', 'succeeded', 1, 3),
    ('f2000000-0000-4000-8000-000000001603', '00000000-0000-4000-8000-000000000003', 'select 1', 'succeeded', 1, 3),
    ('f2000000-0000-4000-8000-000000001604', '00000000-0000-4000-8000-000000000004', 'select 1', 'succeeded', 1, 3);


-- -----------------------------------------------------------------------------
-- Targets: medallion
-- -----------------------------------------------------------------------------
insert into bronze.scout_transactions_raw (id, source_file, payload) values
    ('f0000000-0000-4000-8000-000000000021', 'fixture.csv',
     '{"transaction_ref": "FX-0001", "store_id": "S001", "sku": "SKU-1", "qty": 2, "price": 50}');

insert into bronze.expenses_raw (id, source, source_ref, payload, ocr_confidence) values
    ('f0000000-0000-4000-8000-000000000022', 'ocr', 'OCR-FX-0001',
     '{"vendor": "Fixture Supplies Inc.", "amount": 1500.00, "date": "2025-01-10"}', 0.9700);

insert into silver.scout_transactions
    (id, transaction_ref, store_id, store_name, region, transaction_at, product_sku, brand, category,
     quantity, unit_price, gross_amount, vat_amount, net_amount, payment_method)
values
    ('f0000000-0000-4000-8000-000000000031', 'FX-0001', 'S001', 'Fixture Store', 'NCR',
     '2025-01-15 10:00+08', 'SKU-1', 'FixtureCola', 'Beverages', 2, 50.00, 100.00, 10.71, 100.00, 'cash');

-- Pending, as the n8n expense-approval workflow finds new expenses.
insert into silver.expenses
    (id, expense_number, agency, employee_email, expense_date, category, vendor_name, vendor_tin,
     amount, vat_type, vat_amount, atc_code, ewt_rate, ewt_amount)
values
    ('f0000000-0000-4000-8000-000000000032', 'EXP-FX-0001', 'Fixture Agency', 'viewer@workbench.local',
     '2025-01-10', 'Supplies', 'Fixture Supplies Inc.', '123-456-789-000',
     1500.00, 'vatable', 160.71, 'WC158', 0.0100, 13.39);

insert into gold.finance_expenses
    (id, expense_id, agency, category, employee_email, expense_date, amount_php,
     vat_type, vat_amount, atc_code, ewt_amount, approved_by, approved_at)
values
    ('f0000000-0000-4000-8000-000000000041', 'f1000000-0000-4000-8000-000000000032',
     'Fixture Agency', 'Travel', 'engineer@workbench.local', '2025-01-12', 1500.00,
     'vatable', 160.71, 'WC160', 30.00, 'admin@workbench.local', '2025-01-13 09:00+08');

insert into gold.scout_sales
    (id, sales_date, store_id, store_name, region, category, brand,
     transactions_count, units_sold, gross_sales, vat_amount, net_sales)
values
    ('f0000000-0000-4000-8000-000000000042', '2025-01-15', 'S001', 'Fixture Store', 'Fixture Region',
     'Beverages', 'FixtureCola', 10, 20, 1000.00, 107.14, 1000.00);


-- -----------------------------------------------------------------------------
-- Platinum: populate the materialized views from the gold rows above
-- (one row each: agency 'Fixture Agency', region 'Fixture Region').
-- -----------------------------------------------------------------------------
select matview, refresh_mode from platinum.refresh_materialized_views();
