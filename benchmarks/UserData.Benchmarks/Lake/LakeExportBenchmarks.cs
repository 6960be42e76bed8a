using System.Diagnostics.Metrics;
using Amazon.DynamoDBv2;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using IHost = Microsoft.Extensions.Hosting.IHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using UserData.Lake.Diagnostics;
using UserData.Lake.Hosting;
using UserData.Providers.ChangeFeed;
using UserData.Providers.DynamoDB;
using UserData.Providers.DynamoDB.ChangeFeed;
using UserData.Providers.Sqlite;
using UserData.Providers.Sqlite.ChangeFeed;
using UserData.TestSupport;

namespace UserData.Benchmarks.Lake;

/// <summary>
/// The lake's export of a whole journal: the lake's worker in a host of its own, as the silo host runs it, from its
/// start until every event is committed to a fresh lake folder (batches of <c>Lake__MaxBatchEvents</c>, 10,000). The
/// baseline reads the same feed from its start through the same <see cref="IChangeFeed"/> in pages of 1,000 (as the
/// worker reads it) and does nothing else. Events per second = <see cref="Events"/> / the mean.
/// </summary>
// No warm-up (the first export's JIT is small beside the events), so that a case stays within the in-process
// toolchain's 5-minute limit on this shared machine.
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 3)]
public abstract class LakeExportBenchmarks
{

    private string _folder = string.Empty;
    private DynamoDbLocal? _dynamoDB;
    private AmazonDynamoDBClient? _client;
    private DynamoDBChangeFeedOptions? _dynamoDBOptions;
    private IChangeFeed? _feed;
    private int _iteration;

    /// <summary><c>sqlite</c> or <c>dynamodb</c>.</summary>
    protected abstract string Journal { get; }

    protected abstract int Events { get; }

    private string Database => Path.Combine(_folder, "userdata.db");

    private string LakeFolder => Path.Combine(_folder, $"lake-{_iteration}");

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _folder = Directory.CreateTempSubdirectory("userdata-lake-export-bench-").FullName;
        if (Journal == "sqlite")
        {
            BenchmarkJournal.WriteSqlite(Database, Events);
            _feed = new SqliteJournalChangeFeed(new SqliteDatabaseFile(Database, TimeSpan.FromSeconds(5)));
            return;
        }

        _dynamoDB = await DynamoDbLocal.StartAsync();
        _dynamoDBOptions = new DynamoDBChangeFeedOptions { ServiceUrl = _dynamoDB.ServiceUrl, Region = DynamoDbLocal.Region, JournalTableName = "bench-journal" };
        _client = DynamoDBClients.Create(_dynamoDBOptions);
        await BenchmarkJournal.WriteDynamoDBAsync(_client, _dynamoDBOptions.JournalTableName, Events);
        _feed = new DynamoDBStreamsChangeFeed(_client, _dynamoDBOptions.ServiceUrl, _dynamoDBOptions.Region, DynamoDBClients.Credentials(_dynamoDBOptions), _dynamoDBOptions.JournalTableName);
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        _client?.Dispose();
        if (_dynamoDB is not null)
        {
            await _dynamoDB.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>A fresh lake folder and a fresh consumer (no checkpoint): every iteration exports the whole journal.</summary>
    [IterationSetup(Target = nameof(Export))]
    public void StartAfresh()
    {
        _iteration++;
        if (Journal == "sqlite")
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Database};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE IF EXISTS change_feed_shards; DROP TABLE IF EXISTS change_feed_erasures";
            command.ExecuteNonQuery();
        }
    }

    [Benchmark(Baseline = true)]
    public async Task ReadFeed()
    {
        var read = 0;
        foreach (var shard in await _feed!.ListShardsAsync(CancellationToken.None))
        {
            string? position = null;
            while (true)
            {
                var page = await _feed.ReadAsync(shard, position, null, 1_000, CancellationToken.None);
                read += page.Records.Sum(record => record.Events.Count);
                if (page.LastPosition is null || page.ShardEnded)
                {
                    break;
                }

                position = page.LastPosition;
            }
        }

        if (read != Events)
        {
            throw new InvalidOperationException($"Read {read} events from the feed, not {Events}.");
        }
    }

    [Benchmark]
    public async Task Export()
    {
        var exported = 0L;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, own) =>
        {
            if (instrument.Meter.Name == LakeInstruments.MeterName && instrument.Name == "userdata.lake.events.exported")
            {
                own.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, events, _, _) =>
        {
            if (Interlocked.Add(ref exported, events) >= Events)
            {
                done.TrySetResult();
            }
        });
        listener.Start();

        using var host = BuildWorkerHost();
        await host.StartAsync();
        await done.Task.WaitAsync(TimeSpan.FromMinutes(10));
        await host.StopAsync();
    }

    private IHost BuildWorkerHost()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Lake:Path"] = LakeFolder, ["Lake:CompactionInterval"] = "1.00:00:00" });
        if (Journal == "sqlite")
        {
            var file = new SqliteDatabaseFile(Database, TimeSpan.FromSeconds(5));
            builder.Services.AddUserDataLake(builder.Configuration, _ => new SqliteJournalChangeFeed(file), _ => new SqliteChangeFeedCheckpoints(file));
        }
        else
        {
            var options = new DynamoDBChangeFeedOptions
            {
                ServiceUrl = _dynamoDBOptions!.ServiceUrl,
                Region = _dynamoDBOptions.Region,
                JournalTableName = _dynamoDBOptions.JournalTableName,
                CheckpointTableName = $"bench-change-feed-{_iteration}",
            };
            builder.Services.AddUserDataLake(
                builder.Configuration,
                _ => new DynamoDBStreamsChangeFeed(_client!, options.ServiceUrl, options.Region, DynamoDBClients.Credentials(options), options.JournalTableName),
                provider => new DynamoDBChangeFeedCheckpoints(_client!, options.CheckpointTableName, options, provider.GetRequiredService<ILogger<DynamoDBChangeFeedCheckpoints>>()));
        }

        return builder.Build();
    }
}
