-- 0003-orleans-persistence.sql: grain state for Microsoft.Orleans.Persistence.AdoNet (Orleans 10.4).
--
-- The contract, as Orleans 10.4.2 uses it (dotnet/orleans src/AdoNet/Orleans.Persistence.AdoNet/Storage/
-- Provider/AdoNetGrainStorage.cs and RelationalStorageProviderQueries.cs, compiled into the package):
--   * keys WriteToStorageKey, ReadFromStorageKey and ClearStorageKey are required; DeleteStorageKey is read
--     when present and needed only with AdoNetGrainStorageOptions.DeleteStateOnClear = true;
--   * every query gets @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString,
--     @GrainIdHash and @GrainTypeHash; write, clear and delete also get @GrainStateVersion (the grain's etag,
--     NULL when it has read nothing) and write gets @PayloadBinary (the serialized state);
--   * read answers with "PayloadBinary" and "Version" (no row: the grain starts from a fresh state);
--   * write answers with "NewGrainStateVersion"; clear and delete with one column: the new etag. NULL, or the
--     etag the grain already had, means a version conflict and the grain gets InconsistentStateException.
--
-- What a grain is keyed by: Orleans passes the state name of [PersistentState("name", ...)] as GrainTypeString,
-- and only the key of the GrainId (a Guid as N0/N1, an integer as N1, a string or key extension as
-- GrainIdExtensionString), not the grain type. Two grain types that use the same state name in the same
-- storage and have equal keys therefore share one row: give every grain type its own state name.
-- The two hashes are not used here: the unique index on the key columns serves every lookup. A key longer
-- than about 2.7 kB (all key columns together) exceeds what that index can hold and is refused.
--
-- Versions: 1 on the first write, one more on every write or clear (after 2147483647 comes 1 again, the etag
-- being an int). ClearState keeps the row with a NULL payload and a new version, so that a stale writer still
-- meets a version conflict after a clear; DeleteStorageKey removes the row.

-- NULL and '' are different keys, yet lookups must compare with '=' for the unique index to serve them.
CREATE OR REPLACE FUNCTION orleans_grain_key_extension(p_extension text)
    RETURNS text
    LANGUAGE sql
    IMMUTABLE PARALLEL SAFE
AS $$ SELECT coalesce('+' || p_extension, '-') $$;

CREATE OR REPLACE FUNCTION orleans_grain_state_next_version(p_version integer)
    RETURNS integer
    LANGUAGE sql
    IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN p_version >= 2147483647 THEN 1 ELSE p_version + 1 END $$;

CREATE TABLE IF NOT EXISTS orleans_grain_state
(
    service_id         text        NOT NULL,
    grain_type         text        NOT NULL,
    grain_id_n0        bigint      NOT NULL,
    grain_id_n1        bigint      NOT NULL,
    grain_id_extension text,
    payload            bytea,
    version            integer     NOT NULL,
    modified_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orleans_grain_state_version_check CHECK (version > 0)
);

CREATE UNIQUE INDEX IF NOT EXISTS orleans_grain_state_key
    ON orleans_grain_state (service_id, grain_type, grain_id_n0, grain_id_n1,
                            orleans_grain_key_extension(grain_id_extension));

COMMENT ON TABLE orleans_grain_state IS
    'Orleans grain state per ServiceId, state name (grain_type) and grain key. payload is what the storage''s '
    'serializer wrote (OrleansPathology: UTF-8 JSON, see silo/Database/GrainStateJsonSerializer.cs); NULL after a clear.';

-- Writes the state if the stored version is still the grain's etag, or creates the row if the grain has no
-- etag and no row exists. Returns the new version, or NULL on a conflict.
CREATE OR REPLACE FUNCTION orleans_grain_state_write(
    p_service_id       text,
    p_grain_type       text,
    p_grain_id_n0      bigint,
    p_grain_id_n1      bigint,
    p_extension        text,
    p_expected_version integer,
    p_payload          bytea)
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    v_new integer;
BEGIN
    IF p_expected_version IS NULL THEN
        INSERT INTO orleans_grain_state
            (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension, payload, version)
        VALUES
            (p_service_id, p_grain_type, p_grain_id_n0, p_grain_id_n1, p_extension, p_payload, 1)
        ON CONFLICT (service_id, grain_type, grain_id_n0, grain_id_n1, orleans_grain_key_extension(grain_id_extension))
            DO NOTHING
        RETURNING version INTO v_new;
    ELSE
        UPDATE orleans_grain_state
           SET payload = p_payload, version = orleans_grain_state_next_version(version), modified_at = now()
         WHERE service_id = p_service_id AND grain_type = p_grain_type
           AND grain_id_n0 = p_grain_id_n0 AND grain_id_n1 = p_grain_id_n1
           AND orleans_grain_key_extension(grain_id_extension) = orleans_grain_key_extension(p_extension)
           AND version = p_expected_version
        RETURNING version INTO v_new;
    END IF;
    RETURN v_new;
END;
$$;

-- Clears the payload under the same version rule, keeping the row and moving its version on. A grain without
-- an etag leaves behind an empty row at version 1 (Orleans needs a non-NULL etag back to call it a success).
CREATE OR REPLACE FUNCTION orleans_grain_state_clear(
    p_service_id       text,
    p_grain_type       text,
    p_grain_id_n0      bigint,
    p_grain_id_n1      bigint,
    p_extension        text,
    p_expected_version integer)
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    v_new integer;
BEGIN
    IF p_expected_version IS NULL THEN
        INSERT INTO orleans_grain_state
            (service_id, grain_type, grain_id_n0, grain_id_n1, grain_id_extension, payload, version)
        VALUES
            (p_service_id, p_grain_type, p_grain_id_n0, p_grain_id_n1, p_extension, NULL, 1)
        ON CONFLICT (service_id, grain_type, grain_id_n0, grain_id_n1, orleans_grain_key_extension(grain_id_extension))
            DO NOTHING
        RETURNING version INTO v_new;
    ELSE
        UPDATE orleans_grain_state
           SET payload = NULL, version = orleans_grain_state_next_version(version), modified_at = now()
         WHERE service_id = p_service_id AND grain_type = p_grain_type
           AND grain_id_n0 = p_grain_id_n0 AND grain_id_n1 = p_grain_id_n1
           AND orleans_grain_key_extension(grain_id_extension) = orleans_grain_key_extension(p_extension)
           AND version = p_expected_version
        RETURNING version INTO v_new;
    END IF;
    RETURN v_new;
END;
$$;

-- Deletes the row under the same version rule. Returns the version after the deleted one (0 when a grain
-- without an etag found nothing to delete), or NULL on a conflict.
CREATE OR REPLACE FUNCTION orleans_grain_state_delete(
    p_service_id       text,
    p_grain_type       text,
    p_grain_id_n0      bigint,
    p_grain_id_n1      bigint,
    p_extension        text,
    p_expected_version integer)
    RETURNS integer
    LANGUAGE plpgsql
AS $$
DECLARE
    v_deleted integer;
BEGIN
    IF p_expected_version IS NULL THEN
        PERFORM 1
           FROM orleans_grain_state
          WHERE service_id = p_service_id AND grain_type = p_grain_type
            AND grain_id_n0 = p_grain_id_n0 AND grain_id_n1 = p_grain_id_n1
            AND orleans_grain_key_extension(grain_id_extension) = orleans_grain_key_extension(p_extension);
        RETURN CASE WHEN FOUND THEN NULL ELSE 0 END;
    END IF;

    DELETE FROM orleans_grain_state
     WHERE service_id = p_service_id AND grain_type = p_grain_type
       AND grain_id_n0 = p_grain_id_n0 AND grain_id_n1 = p_grain_id_n1
       AND orleans_grain_key_extension(grain_id_extension) = orleans_grain_key_extension(p_extension)
       AND version = p_expected_version
    RETURNING version INTO v_deleted;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    RETURN orleans_grain_state_next_version(v_deleted);
END;
$$;

INSERT INTO orleansquery (querykey, querytext) VALUES
('ReadFromStorageKey', $q$
SELECT payload AS "PayloadBinary", version AS "Version"
  FROM orleans_grain_state
 WHERE service_id = @ServiceId AND grain_type = @GrainTypeString
   AND grain_id_n0 = @GrainIdN0 AND grain_id_n1 = @GrainIdN1
   AND orleans_grain_key_extension(grain_id_extension) = orleans_grain_key_extension(@GrainIdExtensionString)
$q$),

('WriteToStorageKey', $q$
SELECT orleans_grain_state_write(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString,
                                 @GrainStateVersion, @PayloadBinary) AS "NewGrainStateVersion"
$q$),

('ClearStorageKey', $q$
SELECT orleans_grain_state_clear(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString,
                                 @GrainStateVersion) AS "NewGrainStateVersion"
$q$),

('DeleteStorageKey', $q$
SELECT orleans_grain_state_delete(@ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, @GrainIdExtensionString,
                                  @GrainStateVersion) AS "NewGrainStateVersion"
$q$)
ON CONFLICT (querykey) DO UPDATE SET querytext = EXCLUDED.querytext;
