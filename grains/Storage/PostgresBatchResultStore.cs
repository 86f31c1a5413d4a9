using Npgsql;

namespace OrleansPathology.Grains.Storage;

/// <summary>Batch results in PostgreSQL (table <c>opath_batch_results</c>, silo/Sql/0004-pathology.sql).</summary>
public sealed class PostgresBatchResultStore(NpgsqlDataSource dataSource) : IBatchResultStore
{
    public async Task<bool> TryAddAsync(string slideKey, int batchIndex, BatchCells cells, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO opath_batch_results (slide_key, batch_index, cells, created_at)
            VALUES ($1, $2, $3, now())
            ON CONFLICT (slide_key, batch_index) DO NOTHING
            """);
        command.Parameters.AddWithValue(slideKey);
        command.Parameters.AddWithValue(batchIndex);
        command.Parameters.AddWithValue(cells.ToBytes());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<bool[]> TryAddManyAsync(IReadOnlyList<StoredBatch> batches, CancellationToken cancellationToken = default)
    {
        if (batches.Count == 0) return [];
        // One statement for the whole group; RETURNING names the rows that were new, the rest were stored already.
        await using var command = dataSource.CreateCommand("""
            INSERT INTO opath_batch_results (slide_key, batch_index, cells, created_at)
            SELECT k, i, c, now() FROM unnest($1::text[], $2::integer[], $3::bytea[]) AS rows(k, i, c)
            ON CONFLICT (slide_key, batch_index) DO NOTHING
            RETURNING slide_key, batch_index
            """);
        command.Parameters.AddWithValue(batches.Select(b => b.SlideKey).ToArray());
        command.Parameters.AddWithValue(batches.Select(b => b.BatchIndex).ToArray());
        command.Parameters.AddWithValue(batches.Select(b => b.Cells.ToBytes()).ToArray());
        var inserted = new HashSet<(string, int)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) inserted.Add((reader.GetString(0), reader.GetInt32(1)));
        }
        // A batch named twice in one group is new for its first mention only.
        return batches.Select(b => inserted.Remove((b.SlideKey, b.BatchIndex))).ToArray();
    }

    public async Task<IReadOnlyList<(int BatchIndex, BatchCells Cells)>> ReadAllAsync(string slideKey, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT batch_index, cells FROM opath_batch_results WHERE slide_key = $1 ORDER BY batch_index
            """);
        command.Parameters.AddWithValue(slideKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<(int, BatchCells)>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add((reader.GetInt32(0), BatchCells.FromBytes(reader.GetFieldValue<byte[]>(1))));
        return rows;
    }

    /// <summary>
    /// Deletes the rows stored more than <paramref name="olderThan"/> ago (by the database's clock); returns how many.
    /// A slide's map needs its rows only until its outputs are written, which takes minutes to hours.
    /// </summary>
    public async Task<int> PruneAsync(TimeSpan olderThan, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM opath_batch_results WHERE created_at < now() - $1");
        command.Parameters.AddWithValue(olderThan);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DeleteAsync(string slideKey, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM opath_batch_results WHERE slide_key = $1");
        command.Parameters.AddWithValue(slideKey);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
