using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Microsoft.Data.Sqlite;
using UserData.Gateway.Tests.Support;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Api;

/// <summary>
/// After DELETE /me the address is nowhere in storage: not in any event, snapshot or grain key (the email grain is
/// keyed by an HMAC of it). Each test reads every stored row or item once the gateway has stopped (and so written
/// its deactivation snapshots).
/// </summary>
public sealed class ErasureStorageTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-erasure-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task After_erasure_the_address_is_nowhere_in_the_sqlite_file()
    {
        var settings = GatewayHost.BaseSettings(_folder);
        var email = Support.Api.NewEmail("erased");

        var before = await UseThenEraseAsync(settings, email, () => Task.FromResult(ReadSqlite(settings)));

        Assert.Contains(email, before, StringComparison.Ordinal);
        Assert.DoesNotContain(email, ReadSqlite(settings), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task After_erasure_the_address_is_nowhere_in_the_dynamodb_tables()
    {
        var dynamoDb = await DynamoDbLocal.Shared;
        var settings = DynamoDbGateway.DynamoDbSettings(GatewayHost.BaseSettings(_folder), dynamoDb.ServiceUrl);
        using var client = new AmazonDynamoDBClient(
            new BasicAWSCredentials(DynamoDbLocal.AccessKey, DynamoDbLocal.SecretKey),
            new AmazonDynamoDBConfig { ServiceURL = dynamoDb.ServiceUrl, AuthenticationRegion = DynamoDbLocal.Region });
        var email = Support.Api.NewEmail("erased");

        var before = await UseThenEraseAsync(settings, email, () => ScanAsync(client, settings["Storage:DynamoDB:TablePrefix"]!));

        Assert.Contains(email, before, StringComparison.Ordinal);
        Assert.DoesNotContain(email, await ScanAsync(client, settings["Storage:DynamoDB:TablePrefix"]!), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Registers, logs in and stores data under <paramref name="email"/>, reads storage, then erases the user and stops.</summary>
    private static async Task<string> UseThenEraseAsync(Dictionary<string, string?> settings, string email, Func<Task<string>> readStorage)
    {
        string before;
        await using (var host = await GatewayHost.StartAsync(settings))
        {
            var api = new Support.Api(host.Client);
            var session = await api.RegisterAsync(email);
            Expect.Status(await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = email, ["password"] = Support.Api.Password }), HttpStatusCode.OK);
            Expect.Status(await api.SendAsync(HttpMethod.Post, "/api/v1/me/tasks", new JsonObject { ["name"] = $"write to {email}" }, session.AccessToken), HttpStatusCode.Created);
            before = await readStorage();

            Expect.Status(await api.SendAsync(HttpMethod.Delete, "/api/v1/me", token: session.AccessToken), HttpStatusCode.NoContent);
        }

        return before;
    }

    /// <summary>Every column of every row of every table, as text.</summary>
    private static string ReadSqlite(Dictionary<string, string?> settings)
    {
        var text = new StringBuilder();
        using var connection = new SqliteConnection($"Data Source={settings["Storage:Sqlite:Path"]};Pooling=False");
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                for (var column = 0; column < reader.FieldCount; column++)
                {
                    text.Append(reader.GetValue(column)).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    /// <summary>Every attribute of every item of the tables under <paramref name="prefix"/>, as text.</summary>
    private static async Task<string> ScanAsync(AmazonDynamoDBClient client, string prefix)
    {
        var text = new StringBuilder();
        foreach (var table in (await client.ListTablesAsync()).TableNames.Where(name => name.StartsWith(prefix, StringComparison.Ordinal)))
        {
            Dictionary<string, AttributeValue>? start = null;
            do
            {
                var page = await client.ScanAsync(new ScanRequest { TableName = table, ExclusiveStartKey = start, ConsistentRead = true });
                foreach (var item in page.Items)
                {
                    foreach (var (name, value) in item)
                    {
                        text.Append(name).Append('=').Append(value.S).Append(value.N).Append(string.Join(',', value.L?.Select(entry => entry.S) ?? []))
                            .Append(value.B is null ? string.Empty : Convert.ToBase64String(value.B.ToArray())).Append('\n');
                    }
                }

                start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
            }
            while (start is not null);
        }

        return text.ToString();
    }
}
