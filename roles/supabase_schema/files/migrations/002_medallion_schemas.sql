-- workbench:amends sha256:eb96d6dcaaf2e7a6df6b3534ba7965043e763d582660285c6d5530ec1dc5049e
--   (the version without the ENABLE ROW LEVEL SECURITY statements: databases
--   that ran it got RLS from the supabase_rls step; see supabase_migration docs)
-- =============================================================================
-- 002_medallion_schemas.sql — bronze / silver / gold tables, platinum views
--
--   bronze    raw payloads as received         scout_transactions_raw, expenses_raw
--   silver    typed, cleaned, validated rows    scout_transactions, expenses
--   gold      business marts                    finance_expenses, scout_sales
--   platinum  materialized rollups              monthly_expenses_by_agency,
--                                               scout_sales_trends
--
-- Philippine specifics
--   * Fiscal calendar: fiscal_year / fiscal_quarter / fiscal_month are
--     GENERATED columns, so they can never disagree with the date they come
--     from.  The fiscal year is the calendar year (the BIR default accounting
--     period); a company on a non-calendar fiscal year changes the generation
--     expressions in a later migration.  Timestamps are bucketed in
--     Asia/Manila (UTC+8, no DST).
--   * BIR tax codes:
--       atc_code  Alphanumeric Tax Code of the expanded withholding tax, e.g.
--                 WC158 (goods, corporate payee), WC160 (services, corporate
--                 payee), WI010 (professional fees, individual payee).
--                 Checked for shape only (W + letter + 3 digits); the list of
--                 valid codes changes with revenue regulations.
--       vat_type  vatable | zero_rated | vat_exempt | non_vat (seller not
--                 VAT-registered); vat_amount must be 0 unless vatable.
--       vendor_tin  Taxpayer Identification Number 000-000-000[-00000].
--   * Amounts are numeric(14,2); currency is ISO 4217, PHP by default.
--
-- Expense approval (n8n expense-approval workflow): select the expense by id
-- from silver.expenses, then update status / approved_by / approved_at.
-- approved_by / approved_at record the decision, approval or rejection.
--
-- Row-level security is enabled on each table right after its CREATE TABLE,
-- before 003_access_control.sql grants anything (fail closed until the
-- policies from files/sql/rls_policies.yml are applied).
--
-- Requires 001_metadata_schema.sql (ip_workbench_private.set_updated_at).
-- Runs once, inside the migration runner's transaction: no BEGIN/COMMIT here.
-- =============================================================================

create schema bronze;
create schema silver;
create schema gold;
create schema platinum;

comment on schema bronze   is 'Medallion bronze: raw payloads, as received, deduplicated by content hash.';
comment on schema silver   is 'Medallion silver: typed, cleaned and validated records.';
comment on schema gold     is 'Medallion gold: business marts.';
comment on schema platinum is 'Medallion platinum: materialized rollups (no RLS possible; service_role only).';


-- =============================================================================
-- Bronze
-- payload_hash makes re-ingestion idempotent:
--   insert ... on conflict (source_system, payload_hash) do nothing
-- Unprocessed rows (processed_at is null) form the silver loaders' queue.
-- =============================================================================

create table bronze.scout_transactions_raw (
    id                uuid        primary key default gen_random_uuid(),
    source_system     text        not null default 'scout',
    source_file       text,
    batch_id          uuid,
    payload           jsonb       not null,
    payload_hash      text        generated always as (md5(payload::text)) stored,
    ingested_at       timestamptz not null default now(),
    processed_at      timestamptz,
    processing_error  text,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    constraint scout_transactions_raw_payload_key unique (source_system, payload_hash),
    constraint scout_transactions_raw_payload_check check (jsonb_typeof(payload) = 'object')
);
alter table bronze.scout_transactions_raw enable row level security;
comment on table bronze.scout_transactions_raw is 'Raw Scout POS transaction records (one JSON object per line item).';

create index scout_transactions_raw_unprocessed_idx
    on bronze.scout_transactions_raw (ingested_at) where processed_at is null;
create index scout_transactions_raw_batch_id_idx
    on bronze.scout_transactions_raw (batch_id) where batch_id is not null;

create table bronze.expenses_raw (
    id                uuid         primary key default gen_random_uuid(),
    source            text         not null,
    source_ref        text,
    batch_id          uuid,
    payload           jsonb        not null,
    payload_hash      text         generated always as (md5(payload::text)) stored,
    receipt_url       text,
    ocr_confidence    numeric(5, 4),
    submitted_by      uuid,
    ingested_at       timestamptz  not null default now(),
    processed_at      timestamptz,
    processing_error  text,
    created_at        timestamptz  not null default now(),
    updated_at        timestamptz  not null default now(),
    constraint expenses_raw_payload_key unique (source, payload_hash),
    constraint expenses_raw_source_check check (source in ('ocr', 'odoo', 'manual', 'api', 'email')),
    constraint expenses_raw_payload_check check (jsonb_typeof(payload) = 'object'),
    constraint expenses_raw_ocr_confidence_check
        check (ocr_confidence is null or ocr_confidence between 0 and 1)
);
alter table bronze.expenses_raw enable row level security;
comment on table bronze.expenses_raw is
    'Raw expense submissions: OCR extractions, Odoo exports, manual/API entries. source_ref: id in the source system.';

create index expenses_raw_unprocessed_idx
    on bronze.expenses_raw (ingested_at) where processed_at is null;
create index expenses_raw_source_ref_idx
    on bronze.expenses_raw (source, source_ref) where source_ref is not null;
create index expenses_raw_batch_id_idx
    on bronze.expenses_raw (batch_id) where batch_id is not null;


-- =============================================================================
-- Silver
-- =============================================================================

create table silver.scout_transactions (
    id               uuid           primary key default gen_random_uuid(),
    raw_id           uuid           references bronze.scout_transactions_raw (id) on delete set null,
    transaction_ref  text           not null,
    line_number      integer        not null default 1,
    store_id         text           not null,
    store_name       text,
    region           text           not null,
    province         text,
    city             text,
    transaction_at   timestamptz    not null,
    -- Business date and fiscal buckets in Manila time.
    transaction_date date           generated always as ((transaction_at at time zone 'Asia/Manila')::date) stored,
    fiscal_year      smallint       generated always as
        (extract(year    from (transaction_at at time zone 'Asia/Manila'))::smallint) stored,
    fiscal_quarter   smallint       generated always as
        (extract(quarter from (transaction_at at time zone 'Asia/Manila'))::smallint) stored,
    fiscal_month     smallint       generated always as
        (extract(month   from (transaction_at at time zone 'Asia/Manila'))::smallint) stored,
    product_sku      text           not null,
    product_name     text,
    brand            text,
    category         text           not null,
    quantity         numeric(12, 3) not null,
    unit_price       numeric(14, 2) not null,
    gross_amount     numeric(14, 2) not null,
    discount_amount  numeric(14, 2) not null default 0,
    vat_type         text           not null default 'vatable',
    vat_amount       numeric(14, 2) not null default 0,
    net_amount       numeric(14, 2) not null,
    payment_method   text,
    created_at       timestamptz    not null default now(),
    updated_at       timestamptz    not null default now(),
    constraint scout_transactions_line_key unique (transaction_ref, line_number),
    constraint scout_transactions_line_number_check check (line_number > 0),
    constraint scout_transactions_quantity_check check (quantity > 0),
    constraint scout_transactions_amounts_check
        check (unit_price >= 0 and gross_amount >= 0 and discount_amount >= 0
               and vat_amount >= 0 and net_amount >= 0),
    constraint scout_transactions_vat_type_check
        check (vat_type in ('vatable', 'zero_rated', 'vat_exempt', 'non_vat')),
    constraint scout_transactions_vat_amount_check check (vat_type = 'vatable' or vat_amount = 0),
    constraint scout_transactions_payment_method_check
        check (payment_method is null
               or payment_method in ('cash', 'card', 'gcash', 'maya', 'bank_transfer', 'credit', 'other'))
);
alter table silver.scout_transactions enable row level security;
comment on table silver.scout_transactions is
    'Scout POS line items, typed and validated. transaction_date and fiscal_* are derived in Asia/Manila time.';

create index scout_transactions_raw_id_idx
    on silver.scout_transactions (raw_id) where raw_id is not null;
-- Gold loads by day; store drill-downs by store then day.
create index scout_transactions_transaction_date_idx on silver.scout_transactions (transaction_date);
create index scout_transactions_store_id_date_idx on silver.scout_transactions (store_id, transaction_date);

create table silver.expenses (
    id               uuid           primary key default gen_random_uuid(),
    raw_id           uuid           references bronze.expenses_raw (id) on delete set null,
    expense_number   text,
    agency           text           not null,
    department       text,
    cost_center      text,
    employee_email   text           not null,
    employee_name    text,
    submitted_by     uuid,
    submitted_at     timestamptz    not null default now(),
    expense_date     date           not null,
    fiscal_year      smallint       generated always as (extract(year    from expense_date)::smallint) stored,
    fiscal_quarter   smallint       generated always as (extract(quarter from expense_date)::smallint) stored,
    fiscal_month     smallint       generated always as (extract(month   from expense_date)::smallint) stored,
    category         text           not null,
    description      text,
    vendor_name      text,
    vendor_tin       text,
    or_number        text,
    amount           numeric(14, 2) not null,
    currency         text           not null default 'PHP',
    exchange_rate    numeric(12, 6) not null default 1,
    amount_php       numeric(14, 2) generated always as (round(amount * exchange_rate, 2)) stored,
    vat_type         text           not null default 'vatable',
    vat_amount       numeric(14, 2) not null default 0,
    atc_code         text,
    ewt_rate         numeric(5, 4),
    ewt_amount       numeric(14, 2) not null default 0,
    -- Approval workflow
    status           text           not null default 'pending',
    approved_by      text,
    approved_at      timestamptz,
    approval_note    text,
    created_at       timestamptz    not null default now(),
    updated_at       timestamptz    not null default now(),
    constraint expenses_expense_number_key unique (expense_number),
    constraint expenses_status_check check (status in ('pending', 'approved', 'rejected')),
    -- A decision must say who made it and when.
    constraint expenses_decision_recorded_check
        check (status = 'pending' or (approved_by is not null and approved_at is not null)),
    constraint expenses_amount_check check (amount > 0),
    constraint expenses_currency_check check (currency ~ '^[A-Z]{3}$'),
    constraint expenses_exchange_rate_check check (exchange_rate > 0),
    constraint expenses_employee_email_check check (employee_email ~ '^[^@\s]+@[^@\s]+$'),
    constraint expenses_vendor_tin_check
        check (vendor_tin is null or vendor_tin ~ '^\d{3}-\d{3}-\d{3}(-\d{3,5})?$'),
    constraint expenses_vat_type_check
        check (vat_type in ('vatable', 'zero_rated', 'vat_exempt', 'non_vat')),
    constraint expenses_vat_amount_check
        check (vat_amount >= 0 and (vat_type = 'vatable' or vat_amount = 0)),
    constraint expenses_atc_code_check check (atc_code is null or atc_code ~ '^W[A-Z][0-9]{3}$'),
    constraint expenses_ewt_check
        check (ewt_amount >= 0 and (ewt_rate is null or ewt_rate between 0 and 1)
               and (ewt_amount = 0 or atc_code is not null))
);
alter table silver.expenses enable row level security;
comment on table silver.expenses is
    'Validated expense claims with BIR tax codes and the approval state used by the n8n expense-approval workflow.';
comment on column silver.expenses.amount_php   is 'amount * exchange_rate, rounded to centavos.';
comment on column silver.expenses.atc_code     is 'BIR Alphanumeric Tax Code of the EWT withheld (e.g. WC158, WC160, WI010).';
comment on column silver.expenses.approved_by  is 'Who decided (approved or rejected): user email or "n8n:auto-approve".';
comment on column silver.expenses.approved_at  is 'When the approval decision was made.';

create index expenses_raw_id_idx on silver.expenses (raw_id) where raw_id is not null;
-- Approval queue: where status = 'pending' order by submitted_at.
create index expenses_status_submitted_at_idx on silver.expenses (status, submitted_at);
create index expenses_agency_expense_date_idx on silver.expenses (agency, expense_date);
create index expenses_employee_email_idx on silver.expenses (employee_email);
create index expenses_submitted_by_idx on silver.expenses (submitted_by) where submitted_by is not null;
create index expenses_expense_date_idx on silver.expenses (expense_date);


-- =============================================================================
-- Gold
-- =============================================================================

-- Approved expenses only, one row per silver expense, ready for reporting.
create table gold.finance_expenses (
    id              uuid           primary key default gen_random_uuid(),
    expense_id      uuid           not null references silver.expenses (id) on delete cascade,
    agency          text           not null,
    department      text,
    cost_center     text,
    category        text           not null,
    employee_email  text           not null,
    expense_date    date           not null,
    fiscal_year     smallint       generated always as (extract(year    from expense_date)::smallint) stored,
    fiscal_quarter  smallint       generated always as (extract(quarter from expense_date)::smallint) stored,
    fiscal_month    smallint       generated always as (extract(month   from expense_date)::smallint) stored,
    vendor_name     text,
    vendor_tin      text,
    or_number       text,
    amount_php      numeric(14, 2) not null,
    vat_type        text           not null,
    vat_amount      numeric(14, 2) not null default 0,
    atc_code        text,
    ewt_amount      numeric(14, 2) not null default 0,
    net_payable     numeric(14, 2) generated always as (amount_php - ewt_amount) stored,
    approved_by     text           not null,
    approved_at     timestamptz    not null,
    loaded_at       timestamptz    not null default now(),
    created_at      timestamptz    not null default now(),
    updated_at      timestamptz    not null default now(),
    constraint finance_expenses_expense_id_key unique (expense_id),
    constraint finance_expenses_amounts_check
        check (amount_php > 0 and vat_amount >= 0 and ewt_amount >= 0 and ewt_amount <= amount_php),
    constraint finance_expenses_vat_type_check
        check (vat_type in ('vatable', 'zero_rated', 'vat_exempt', 'non_vat')),
    constraint finance_expenses_atc_code_check check (atc_code is null or atc_code ~ '^W[A-Z][0-9]{3}$')
);
alter table gold.finance_expenses enable row level security;
comment on table gold.finance_expenses is
    'Approved expenses in PHP with VAT and expanded withholding tax; net_payable = amount_php - ewt_amount.';

-- Agency-by-month reporting (and the platinum rollup).
create index finance_expenses_agency_period_idx
    on gold.finance_expenses (agency, fiscal_year, fiscal_month);
create index finance_expenses_period_idx on gold.finance_expenses (fiscal_year, fiscal_month);
-- Withholding reports (BIR 1601-EQ / 2307) are per ATC per quarter.
create index finance_expenses_atc_period_idx
    on gold.finance_expenses (atc_code, fiscal_year, fiscal_quarter) where atc_code is not null;

-- Daily sales per store, category and brand.
create table gold.scout_sales (
    id                  uuid           primary key default gen_random_uuid(),
    sales_date          date           not null,
    fiscal_year         smallint       generated always as (extract(year    from sales_date)::smallint) stored,
    fiscal_quarter      smallint       generated always as (extract(quarter from sales_date)::smallint) stored,
    fiscal_month        smallint       generated always as (extract(month   from sales_date)::smallint) stored,
    store_id            text           not null,
    store_name          text,
    region              text           not null,
    category            text           not null,
    brand               text           not null default 'Unbranded',
    transactions_count  integer        not null default 0,
    units_sold          numeric(14, 3) not null default 0,
    gross_sales         numeric(16, 2) not null default 0,
    discounts           numeric(16, 2) not null default 0,
    vat_amount          numeric(16, 2) not null default 0,
    net_sales           numeric(16, 2) not null default 0,
    loaded_at           timestamptz    not null default now(),
    created_at          timestamptz    not null default now(),
    updated_at          timestamptz    not null default now(),
    -- The grain; gold loaders upsert on it.
    constraint scout_sales_grain_key unique (sales_date, store_id, category, brand),
    constraint scout_sales_counts_check check (transactions_count >= 0 and units_sold >= 0),
    constraint scout_sales_amounts_check
        check (gross_sales >= 0 and discounts >= 0 and vat_amount >= 0 and net_sales >= 0)
);
alter table gold.scout_sales enable row level security;
comment on table gold.scout_sales is 'Scout daily sales mart: one row per day, store, category and brand.';

create index scout_sales_store_id_date_idx on gold.scout_sales (store_id, sales_date);
create index scout_sales_period_idx on gold.scout_sales (fiscal_year, fiscal_month);


-- =============================================================================
-- updated_at triggers
-- =============================================================================
create trigger set_updated_at before update on bronze.scout_transactions_raw
    for each row execute function ip_workbench_private.set_updated_at();
create trigger set_updated_at before update on bronze.expenses_raw
    for each row execute function ip_workbench_private.set_updated_at();
create trigger set_updated_at before update on silver.scout_transactions
    for each row execute function ip_workbench_private.set_updated_at();
create trigger set_updated_at before update on silver.expenses
    for each row execute function ip_workbench_private.set_updated_at();
create trigger set_updated_at before update on gold.finance_expenses
    for each row execute function ip_workbench_private.set_updated_at();
create trigger set_updated_at before update on gold.scout_sales
    for each row execute function ip_workbench_private.set_updated_at();


-- =============================================================================
-- Platinum: materialized views
-- Each has a UNIQUE index on plain columns covering every row (the grouping
-- keys, all NOT NULL), which REFRESH MATERIALIZED VIEW CONCURRENTLY requires.
-- Materialized views cannot have RLS: 003 grants them to service_role only.
-- =============================================================================

create materialized view platinum.monthly_expenses_by_agency as
select
    fe.agency,
    fe.fiscal_year,
    fe.fiscal_quarter,
    fe.fiscal_month,
    make_date(fe.fiscal_year, fe.fiscal_month, 1)       as month_start,
    count(*)                                            as expense_count,
    sum(fe.amount_php)                                  as total_amount_php,
    sum(fe.vat_amount)                                  as total_vat_php,
    sum(fe.ewt_amount)                                  as total_ewt_php,
    sum(fe.net_payable)                                 as total_net_payable_php,
    count(*) filter (where fe.atc_code is not null)     as withholding_count,
    count(distinct fe.employee_email)                   as employee_count,
    max(fe.approved_at)                                 as last_approved_at
from gold.finance_expenses as fe
group by fe.agency, fe.fiscal_year, fe.fiscal_quarter, fe.fiscal_month
with data;

comment on materialized view platinum.monthly_expenses_by_agency is
    'Approved expenses per agency and fiscal month (PHP), with VAT and EWT totals. '
    'Refresh with platinum.refresh_materialized_views().';

create unique index monthly_expenses_by_agency_key
    on platinum.monthly_expenses_by_agency (agency, fiscal_year, fiscal_month);
create index monthly_expenses_by_agency_period_idx
    on platinum.monthly_expenses_by_agency (fiscal_year, fiscal_month);

create materialized view platinum.scout_sales_trends as
with monthly as (
    select
        ss.region,
        ss.category,
        ss.fiscal_year,
        ss.fiscal_quarter,
        ss.fiscal_month,
        make_date(ss.fiscal_year, ss.fiscal_month, 1) as month_start,
        count(distinct ss.store_id)                   as store_count,
        sum(ss.transactions_count)                    as transactions_count,
        sum(ss.units_sold)                            as units_sold,
        sum(ss.gross_sales)                           as gross_sales,
        sum(ss.net_sales)                             as net_sales
    from gold.scout_sales as ss
    group by ss.region, ss.category, ss.fiscal_year, ss.fiscal_quarter, ss.fiscal_month
)
select
    m.region,
    m.category,
    m.fiscal_year,
    m.fiscal_quarter,
    m.fiscal_month,
    m.month_start,
    m.store_count,
    m.transactions_count,
    m.units_sold,
    m.gross_sales,
    m.net_sales,
    round(m.net_sales / nullif(m.transactions_count, 0), 2)        as avg_basket_php,
    -- Previous month only when it is the immediately preceding calendar
    -- month; a gap in the data yields null rather than a misleading growth.
    case when lag(m.month_start) over w = (m.month_start - interval '1 month')::date
         then lag(m.net_sales) over w end                            as prev_month_net_sales,
    case when lag(m.month_start) over w = (m.month_start - interval '1 month')::date
         then round(100 * (m.net_sales - lag(m.net_sales) over w)
                    / nullif(lag(m.net_sales) over w, 0), 2) end     as mom_growth_pct,
    sum(m.net_sales) over (partition by m.region, m.category, m.fiscal_year
                           order by m.fiscal_month)                 as ytd_net_sales
from monthly as m
window w as (partition by m.region, m.category order by m.month_start)
with data;

comment on materialized view platinum.scout_sales_trends is
    'Scout monthly net sales per region and category with month-over-month growth and year-to-date totals. '
    'Refresh with platinum.refresh_materialized_views().';

create unique index scout_sales_trends_key
    on platinum.scout_sales_trends (region, category, fiscal_year, fiscal_month);
create index scout_sales_trends_period_idx
    on platinum.scout_sales_trends (fiscal_year, fiscal_month);


-- -----------------------------------------------------------------------------
-- platinum.refresh_materialized_views()
--
-- Refreshes every materialized view in schema platinum and reports, per view,
-- how it was refreshed and how long it took:
--   select * from platinum.refresh_materialized_views();
--
-- Mode per view:
--   'concurrently'  the view is populated and has a unique index on plain
--                   columns without WHERE: readers are never blocked.  This is
--                   allowed inside a transaction block too (only CREATE INDEX
--                   CONCURRENTLY is not), so callers need no special handling.
--   'blocking'      otherwise (never populated, or no usable unique index):
--                   plain REFRESH, which holds an ACCESS EXCLUSIVE lock on the
--                   view until the caller's transaction ends.
--
-- SECURITY DEFINER because REFRESH requires ownership of the view (PG 15 has
-- no MAINTAIN privilege); search_path is empty and every name is qualified.
-- EXECUTE is revoked from PUBLIC here and granted to service_role in 003.
-- -----------------------------------------------------------------------------
create function platinum.refresh_materialized_views()
returns table (matview text, refresh_mode text, duration_ms numeric)
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
    mv       record;
    t_start  timestamptz;
begin
    for mv in
        select c.oid::regclass as rel,
               c.relispopulated
               and exists (select 1
                             from pg_catalog.pg_index as i
                            where i.indrelid = c.oid
                              and i.indisunique
                              and i.indisvalid
                              and i.indpred is null
                              and i.indexprs is null) as can_concurrently
          from pg_catalog.pg_class as c
          join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
         where n.nspname = 'platinum'
           and c.relkind = 'm'
         order by c.relname
    loop
        t_start := clock_timestamp();
        if mv.can_concurrently then
            execute format('refresh materialized view concurrently %s', mv.rel);
            refresh_mode := 'concurrently';
        else
            execute format('refresh materialized view %s', mv.rel);
            refresh_mode := 'blocking';
        end if;
        matview     := mv.rel::text;
        duration_ms := round((extract(epoch from clock_timestamp() - t_start) * 1000)::numeric, 1);
        return next;
    end loop;
end;
$$;

revoke all on function platinum.refresh_materialized_views() from public;
comment on function platinum.refresh_materialized_views() is
    'Refreshes all platinum materialized views (concurrently when possible); returns mode and duration per view.';
