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

    public async Task DeleteAsync(string slideKey, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM opath_batch_results WHERE slide_key = $1");
        command.Parameters.AddWithValue(slideKey);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
