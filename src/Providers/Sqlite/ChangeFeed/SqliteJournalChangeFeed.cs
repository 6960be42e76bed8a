using System.Globalization;
using Microsoft.Data.Sqlite;
using UserData.Providers.ChangeFeed;
using UserData.Providers.Journal;

namespace UserData.Providers.Sqlite.ChangeFeed;

/// <summary>
/// The SQLite event journal as a change feed: one shard, <c>journal_events</c> in <c>position</c> order (commit order,
/// never reused), read on pooled read-only connections beside the journal's writer. A position is the row's
/// <c>position</c> as text. Erased rows come back with null content.
/// </summary>
public sealed class SqliteJournalChangeFeed : IChangeFeed
{
    /// <summary>The one shard.</summary>
    public static readonly FeedShard Shard = new("journal", null);

    private const string ReadSql = """
        SELECT position, stream, seq, written_at, data FROM journal_events
        WHERE position > $after AND position <= $through
        ORDER BY position LIMIT $max_count
        """;

    private readonly SqliteDatabaseFile _file;

    public SqliteJournalChangeFeed(SqliteDatabaseFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        _file = file;
    }

    public string Name => "sqlite-journal";

    public Task<IReadOnlyList<FeedShard>> ListShardsAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<FeedShard>>([Shard]);

    public async Task<FeedPage> ReadAsync(FeedShard shard, string? after, string? through, int maxRecords, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shard);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecords, 1);
        if (shard.Id != Shard.Id)
        {
            throw new ArgumentException($"The SQLite journal has one shard, '{Shard.Id}', not '{shard.Id}'.", nameof(shard));
        }

        var connection = await _file.OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var command = connection.CreateCommand();
            command.CommandText = ReadSql;
            command.Parameters.Add("$after", SqliteType.Integer).Value = after is null ? 0 : ParsePosition(after);
            command.Parameters.Add("$through", SqliteType.Integer).Value = through is null ? long.MaxValue : ParsePosition(through);
            command.Parameters.Add("$max_count", SqliteType.Integer).Value = maxRecords;
            var records = new List<FeedRecord>();
            try
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        records.Add(new FeedRecord(
                            reader.GetInt64(0).ToString(CultureInfo.InvariantCulture),
                            reader.GetString(1),
                            reader.GetInt64(2),
                            JournalTimestamp.Parse(reader.GetString(3)),
                            [reader.IsDBNull(4) ? null : reader.GetString(4)]));
                    }
                }
            }
            catch (SqliteException exception) when (exception.SqliteErrorCode == 1 && exception.Message.Contains("no such table", StringComparison.Ordinal))
            {
                // The journal creates its table when its silo starts; until then there is nothing to read.
            }

            return new FeedPage(records, ShardEnded: false) { LastPosition = records.Count > 0 ? records[^1].Position : null };
        }
    }

    private static long ParsePosition(string position) =>
        long.TryParse(position, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"'{position}' is not a position of the SQLite journal (a row's position number).", nameof(position));
}
