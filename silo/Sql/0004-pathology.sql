-- OrleansPathology's own tables. Re-runnable: every statement is idempotent.

-- One row per (slide, tile batch): the batch's cells and tumour probabilities, packed little-endian as
-- int32 count, then (int32 x, int32 y, float32 p) per cell. The primary key is what makes map assembly
-- exactly-once: a batch delivered twice (a worker presumed lost that was only slow) inserts nothing.
CREATE TABLE IF NOT EXISTS opath_batch_results
(
    slide_key   varchar(512) NOT NULL,
    batch_index integer      NOT NULL,
    cells       bytea        NOT NULL,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT pk_opath_batch_results PRIMARY KEY (slide_key, batch_index)
);
