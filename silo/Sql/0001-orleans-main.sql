-- 0001-orleans-main.sql: what every Orleans ADO.NET provider shares.
--
-- Orleans' ADO.NET providers (Microsoft.Orleans.*.AdoNet) hold no SQL of their own: at start each one runs
--     SELECT QueryKey, QueryText FROM OrleansQuery
-- and afterwards executes the text stored under each key, binding its parameters by name (@Name). This file
-- creates that table; 0002 and 0003 fill it with the clustering and grain-storage rows.
--
-- How these scripts are applied (silo/Database/SchemaInstaller.cs): in file-name order, one transaction per
-- file, under an advisory lock, each recorded with its SHA-256 in opath_schema_migrations. A file whose hash
-- changed is applied again, so every file must be safe to re-run: CREATE ... IF NOT EXISTS for tables,
-- CREATE OR REPLACE for functions, INSERT ... ON CONFLICT DO UPDATE for query rows. A change to an existing
-- table's shape therefore goes into a new, higher-numbered file (ALTER TABLE ... ADD COLUMN IF NOT EXISTS).
--
-- Identifiers are unquoted lower case, so that Orleans' unquoted "OrleansQuery", "QueryKey" and "QueryText"
-- fold onto them; result columns that Orleans reads by name are aliased in the exact case it asks for.

CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64) NOT NULL,
    querytext text        NOT NULL,
    CONSTRAINT orleansquery_pkey PRIMARY KEY (querykey)
);

COMMENT ON TABLE orleansquery IS
    'SQL that Orleans'' ADO.NET providers execute, by query key. Written by silo/Sql/*.sql; do not edit by hand.';
