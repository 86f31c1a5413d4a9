-- 0002-orleans-clustering.sql: cluster membership for Microsoft.Orleans.Clustering.AdoNet (Orleans 10.4).
--
-- The contract, as Orleans 10.4.2 uses it (dotnet/orleans src/AdoNet/Shared/Storage/DbStoredQueries.cs and
-- RelationalOrleansQueries.cs, compiled into the clustering package):
--   * every key below must be present in orleansquery, or the provider refuses to start; the one exception is
--     CleanupDefunctSiloEntryKey, which Orleans uses instead of CleanupDefunctSiloEntriesKey when it exists;
--   * parameters are bound by name; "DeploymentId" carries the ClusterId; a silo is (Address, Port, Generation);
--     Status is Orleans' SiloStatus as an integer (3 = Active, 6 = Dead); times are UTC (timestamptz);
--   * the whole membership table has one version number. Every row Orleans reads carries it in "Version" and
--     that number is the etag: an insert or update succeeds only while the stored version still equals the
--     @Version the caller read, and moves it on by one (MembershipTableManager passes TableVersion.Next(),
--     whose etag is the version that was read);
--   * the read queries return at least one row, with NULL member columns when there are no members: Orleans
--     takes the table version from the first row and skips a row whose StartTime is NULL;
--   * insert/update answer with a single boolean column.

CREATE TABLE IF NOT EXISTS orleans_membership_version
(
    deployment_id text        NOT NULL,
    version       integer     NOT NULL DEFAULT 0,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleans_membership_version_pkey PRIMARY KEY (deployment_id)
);

COMMENT ON TABLE orleans_membership_version IS
    'One row per Orleans cluster (ClusterId): the membership table version that serves as etag for every change.';

CREATE TABLE IF NOT EXISTS orleans_membership
(
    deployment_id   text        NOT NULL,
    address         text        NOT NULL,
    port            integer     NOT NULL,
    generation      integer     NOT NULL,
    silo_name       text        NOT NULL,
    host_name       text        NOT NULL,
    status          integer     NOT NULL,
    proxy_port      integer     NOT NULL DEFAULT 0,
    suspect_times   text,
    start_time      timestamptz NOT NULL,
    i_am_alive_time timestamptz NOT NULL,
    CONSTRAINT orleans_membership_pkey PRIMARY KEY (deployment_id, address, port, generation),
    CONSTRAINT orleans_membership_version_fkey FOREIGN KEY (deployment_id)
        REFERENCES orleans_membership_version (deployment_id) ON DELETE CASCADE
);

COMMENT ON TABLE orleans_membership IS
    'Orleans silos per cluster. status is SiloStatus (1 Created, 2 Joining, 3 Active, 4 ShuttingDown, 5 Stopping, 6 Dead); '
    'suspect_times is Orleans'' "silo,time|silo,time" text.';

-- Adds a silo while the table version is still the one the caller read. The version row is locked first, so
-- membership writes of one cluster run one after another, and a silo that already has a row is refused.
CREATE OR REPLACE FUNCTION orleans_membership_insert(
    p_deployment_id    text,
    p_address          text,
    p_port             integer,
    p_generation       integer,
    p_silo_name        text,
    p_host_name        text,
    p_status           integer,
    p_proxy_port       integer,
    p_start_time       timestamptz,
    p_i_am_alive_time  timestamptz,
    p_expected_version integer)
    RETURNS boolean
    LANGUAGE plpgsql
AS $$
DECLARE
    v_current integer;
BEGIN
    SELECT version INTO v_current
      FROM orleans_membership_version
     WHERE deployment_id = p_deployment_id
       FOR UPDATE;
    IF v_current IS DISTINCT FROM p_expected_version THEN
        RETURN false;
    END IF;

    INSERT INTO orleans_membership
        (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port,
         start_time, i_am_alive_time)
    VALUES
        (p_deployment_id, p_address, p_port, p_generation, p_silo_name, p_host_name, p_status, p_proxy_port,
         p_start_time, p_i_am_alive_time)
    ON CONFLICT ON CONSTRAINT orleans_membership_pkey DO NOTHING;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership_version
       SET version = version + 1, updated_at = now()
     WHERE deployment_id = p_deployment_id;
    RETURN true;
END;
$$;

-- Changes a silo's status, suspicions and heartbeat under the same version rule as the insert.
CREATE OR REPLACE FUNCTION orleans_membership_update(
    p_deployment_id    text,
    p_address          text,
    p_port             integer,
    p_generation       integer,
    p_status           integer,
    p_suspect_times    text,
    p_i_am_alive_time  timestamptz,
    p_expected_version integer)
    RETURNS boolean
    LANGUAGE plpgsql
AS $$
DECLARE
    v_current integer;
BEGIN
    SELECT version INTO v_current
      FROM orleans_membership_version
     WHERE deployment_id = p_deployment_id
       FOR UPDATE;
    IF v_current IS DISTINCT FROM p_expected_version THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership
       SET status = p_status, suspect_times = p_suspect_times, i_am_alive_time = p_i_am_alive_time
     WHERE deployment_id = p_deployment_id
       AND address = p_address AND port = p_port AND generation = p_generation;
    IF NOT FOUND THEN
        RETURN false;
    END IF;

    UPDATE orleans_membership_version
       SET version = version + 1, updated_at = now()
     WHERE deployment_id = p_deployment_id;
    RETURN true;
END;
$$;

INSERT INTO orleansquery (querykey, querytext) VALUES
-- Creates the cluster's version row on first start; true when this call created it.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleans_membership_version (deployment_id) VALUES (@DeploymentId)
    ON CONFLICT ON CONSTRAINT orleans_membership_version_pkey DO NOTHING
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM created)
$q$),

('InsertMembershipKey', $q$
SELECT orleans_membership_insert(@DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
                                 @ProxyPort, @StartTime, @IAmAliveTime, @Version)
$q$),

('UpdateMembershipKey', $q$
SELECT orleans_membership_update(@DeploymentId, @Address, @Port, @Generation, @Status, @SuspectTimes,
                                 @IAmAliveTime, @Version)
$q$),

-- Heartbeats do not move the table version: Orleans writes them outside the etag protocol.
('UpdateIAmAlivetimeKey', $q$
UPDATE orleans_membership
   SET i_am_alive_time = @IAmAliveTime
 WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),

('MembershipReadAllKey', $q$
SELECT coalesce(v.version, 0) AS "Version",
       m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
  FROM (SELECT CAST(@DeploymentId AS text) AS deployment_id) AS c
  LEFT JOIN orleans_membership_version AS v ON v.deployment_id = c.deployment_id
  LEFT JOIN orleans_membership AS m ON m.deployment_id = v.deployment_id
$q$),

('MembershipReadRowKey', $q$
SELECT coalesce(v.version, 0) AS "Version",
       m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime"
  FROM (SELECT CAST(@DeploymentId AS text) AS deployment_id) AS c
  LEFT JOIN orleans_membership_version AS v ON v.deployment_id = c.deployment_id
  LEFT JOIN orleans_membership AS m ON m.deployment_id = v.deployment_id
        AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
$q$),

-- Gateways for clients: silos with the status Orleans asks for (Active) and a gateway port.
('GatewaysQueryKey', $q$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
  FROM orleans_membership
 WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$),

-- Removes a whole cluster: its version row, and its silos with it (foreign key ON DELETE CASCADE).
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orleans_membership_version
 WHERE deployment_id = @DeploymentId
$q$),

-- Bulk clean-up of dead silos (6 = SiloStatus.Dead) that started and last lived before the cut-off. Orleans
-- only runs it when CleanupDefunctSiloEntryKey is missing; it stays because the contract requires the key.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleans_membership
 WHERE deployment_id = @DeploymentId AND status = 6
   AND start_time < @IAmAliveTime AND i_am_alive_time < @IAmAliveTime
$q$),

-- Per-silo clean-up that Orleans prefers: it picks dead rows from a read and deletes each one only if the row
-- is still exactly what it read (6 = SiloStatus.Dead), so a row changed in the meantime survives.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM orleans_membership
 WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
   AND status = 6
   AND start_time = @StartTime AND i_am_alive_time = @IAmAliveTime
   AND coalesce(suspect_times, '') = coalesce(CAST(@SuspectTimes AS text), '')
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
