using System.Runtime.Versioning;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;
using UserData.Providers.Sqlite.GrainStorage;

namespace UserData.Providers.Tests.GrainStorage;

/// <summary>The grain storage contract on a SQLite file of its own per test (in a temp folder deleted afterwards), and what is SQLite's alone.</summary>
public sealed class SqliteGrainStorageTests : GrainStorageContract
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"userdata-grainstorage-{Guid.NewGuid():N}");

    // In a folder that does not exist yet: the provider creates it.
    private string DatabasePath => Path.Combine(_folder, "data", "userdata.db");

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task A_new_database_file_is_readable_and_writable_by_its_owner_only()
    {
        await StartStorageAsync();

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(DatabasePath));
    }

    [Fact]
    public async Task The_health_check_is_unhealthy_when_the_table_cannot_be_read()
    {
        var host = await StartHostAsync();
        using (var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False"))
        {
            connection.Open();
            using var drop = connection.CreateCommand();
            drop.CommandText = "DROP TABLE grain_state";
            drop.ExecuteNonQuery();
        }

        var report = await host.CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains("grain_state", report.Entries[$"grain-storage-{StorageName}"].Description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("/tmp/")]
    [InlineData("/tmp")]
    public async Task A_path_that_names_no_file_stops_the_start_with_a_message_naming_the_setting(string path)
    {
        await using var host = new StorageHost(services => services.AddSqliteGrainStorage(StorageName, options => options.Path = path));

        var error = Assert.Throws<OrleansConfigurationException>(host.Validate);

        Assert.Contains($"'{StorageName}': Path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_busy_timeout_that_is_not_positive_stops_the_start_with_a_message_naming_the_setting()
    {
        await using var host = new StorageHost(services => services.AddSqliteGrainStorage(StorageName, options =>
        {
            options.Path = DatabasePath;
            options.BusyTimeout = TimeSpan.Zero;
        }));

        var error = Assert.Throws<OrleansConfigurationException>(host.Validate);

        Assert.Contains($"'{StorageName}': BusyTimeout", error.Message, StringComparison.Ordinal);
    }

    protected override void AddStorage(IServiceCollection services, StorageSettings settings) =>
        services.AddSqliteGrainStorage(StorageName, options =>
        {
            options.Path = DatabasePath;
            options.DeleteStateOnClear = settings.DeleteStateOnClear;
            if (settings.Serializer is not null)
            {
                options.GrainStorageSerializer = settings.Serializer;
            }
        });

    protected override async Task<StoredRecord?> ReadStoredAsync(string serviceId, GrainId grainId, string stateName)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await using (connection)
        {
            await connection.OpenAsync();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT etag, data FROM grain_state WHERE service_id = $service_id AND grain_id = $grain_id AND state_name = $state_name";
            command.Parameters.AddWithValue("$service_id", serviceId);
            command.Parameters.AddWithValue("$grain_id", grainId.ToString());
            command.Parameters.AddWithValue("$state_name", stateName);
            using var reader = await command.ExecuteReaderAsync();
            return await reader.ReadAsync() ? new StoredRecord(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)) : null;
        }
    }
}
