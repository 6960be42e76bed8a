using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using UserData.Gateway.Tests.Support;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Deploy;

/// <summary>
/// <c>deploy/scripts/restore-user.sh</c> against DynamoDB Local: the "point-in-time-recovered copy" is the live tables
/// copied under another prefix; the user then changes or is erased in the live tables while the gateway keeps running;
/// the script restores that one user and the API shows the data of the copy.
/// </summary>
public sealed class RestoreUserScriptTests : IAsyncLifetime
{
    private static readonly string[] Tables = ["journal", "snapshots", "grain-state"];

    private readonly string _folder = Directory.CreateTempSubdirectory("userdata-restore-").FullName;
    private DynamoDbLocal _dynamoDb = null!;
    private AmazonDynamoDBClient _client = null!;
    private Dictionary<string, string?> _settings = null!;
    private GatewayHost _host = null!;
    private Support.Api _api = null!;

    private string LivePrefix => _settings["Storage:DynamoDB:TablePrefix"]!;

    public async Task InitializeAsync()
    {
        _dynamoDb = await DynamoDbLocal.Shared;
        _client = new AmazonDynamoDBClient(
            new BasicAWSCredentials(DynamoDbLocal.AccessKey, DynamoDbLocal.SecretKey),
            new AmazonDynamoDBConfig { ServiceURL = _dynamoDb.ServiceUrl, AuthenticationRegion = DynamoDbLocal.Region });
        _settings = DynamoDbGateway.DynamoDbSettings(GatewayHost.BaseSettings(_folder), _dynamoDb.ServiceUrl);
        _host = await GatewayHost.StartAsync(_settings);
        _api = new Support.Api(_host.Client);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _client.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_changed_user_is_restored_and_its_still_active_grain_cannot_write_over_the_restore()
    {
        var (user, copyPrefix) = await UserWithDataAndCopyAsync();
        Expect.Status(await _api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", """{"display_name":"After"}""", user.AccessToken), HttpStatusCode.OK);
        var task = (await _api.GetAsync("/api/v1/me/tasks", user.AccessToken)).Data.AsArray().Single()!;
        Expect.Status(await _api.SendAsync(HttpMethod.Delete, $"/api/v1/me/tasks/{task["id"]}", token: user.AccessToken), HttpStatusCode.NoContent);

        await RunScriptAsync(user.UserId, copyPrefix, reloadAs: null);

        // The user's grain is still active with the changed state: its next write meets the fence, reads the restored
        // journal and decides against it.
        Expect.Status(await _api.SendRawAsync(HttpMethod.Post, "/api/v1/me/tasks", """{"name":"after the restore"}""", user.AccessToken), HttpStatusCode.Created);
        var me = (await _api.GetAsync("/api/v1/me", user.AccessToken)).Data;
        Assert.Equal("Before", me["display_name"]!.GetValue<string>());
        Assert.Equal(["after the restore", "kept"], await TaskNamesAsync(user.AccessToken));
        await RestartAsync();
        var login = await LoginAsync(user.Email);
        Assert.Equal("Before", (await _api.GetAsync("/api/v1/me", login.AccessToken)).Data["display_name"]!.GetValue<string>());
        Assert.Equal(["after the restore", "kept"], await TaskNamesAsync(login.AccessToken));
        var actions = (await _api.GetAsync("/api/v1/me/audit", login.AccessToken)).Data.AsArray().Select(entry => entry!["action"]!.GetValue<string>());
        Assert.Equal(["task.created", "task.created", "profile.updated", "user.registered"], actions);
    }

    [Fact]
    public async Task An_erased_user_is_restored_with_its_email_and_password()
    {
        var admin = await _api.RegisterAsync("admin@example.com");
        var (user, copyPrefix) = await UserWithDataAndCopyAsync();
        Expect.Status(await _api.SendAsync(HttpMethod.Delete, "/api/v1/me", token: user.AccessToken), HttpStatusCode.NoContent);
        Expect.Error(await _api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = user.Email, ["password"] = Support.Api.Password }),
            HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");

        await RunScriptAsync(user.UserId, copyPrefix, reloadAs: admin);

        var login = await LoginAsync(user.Email);
        Assert.Equal(user.UserId, login.UserId);
        Assert.Equal("Before", (await _api.GetAsync("/api/v1/me", login.AccessToken)).Data["display_name"]!.GetValue<string>());
        Assert.Equal(["kept"], await TaskNamesAsync(login.AccessToken));
        Expect.Error(await _api.SendAsync(HttpMethod.Post, "/api/v1/auth/register", new JsonObject { ["email"] = user.Email, ["password"] = Support.Api.Password }),
            HttpStatusCode.Conflict, "EMAIL_TAKEN");
    }

    [Fact]
    public async Task An_email_claimed_by_another_account_since_is_not_taken_from_it()
    {
        var (user, copyPrefix) = await UserWithDataAndCopyAsync();
        Expect.Status(await _api.SendAsync(HttpMethod.Delete, "/api/v1/me", token: user.AccessToken), HttpStatusCode.NoContent);
        var newcomer = await _api.RegisterAsync(user.Email);

        var run = await RunScriptAsync(user.UserId, copyPrefix, reloadAs: null, expectedExitCode: 4);

        Assert.Contains("claimed by another account", run, StringComparison.Ordinal);
        Assert.Equal(newcomer.UserId, (await LoginAsync(user.Email)).UserId);
    }

    /// <summary>A user with a display name and a task, then a copy of every table under a new prefix (the "PITR copy").</summary>
    private async Task<(Session User, string CopyPrefix)> UserWithDataAndCopyAsync()
    {
        var user = await _api.RegisterAsync();
        Expect.Status(await _api.SendRawAsync(HttpMethod.Patch, "/api/v1/me", """{"display_name":"Before"}""", user.AccessToken), HttpStatusCode.OK);
        Expect.Status(await _api.SendRawAsync(HttpMethod.Post, "/api/v1/me/tasks", """{"name":"kept"}""", user.AccessToken), HttpStatusCode.Created);
        var copyPrefix = DynamoDbLocal.NewTablePrefix();
        foreach (var table in Tables)
        {
            await CopyTableAsync(LivePrefix + table, copyPrefix + table);
        }

        return (user, copyPrefix);
    }

    private async Task CopyTableAsync(string source, string target)
    {
        var description = (await _client.DescribeTableAsync(source)).Table;
        await _client.CreateTableAsync(new CreateTableRequest
        {
            TableName = target,
            KeySchema = description.KeySchema,
            AttributeDefinitions = description.AttributeDefinitions,
            BillingMode = BillingMode.PAY_PER_REQUEST,
        });
        var request = new ScanRequest { TableName = source, ConsistentRead = true };
        do
        {
            var page = await _client.ScanAsync(request);
            foreach (var item in page.Items)
            {
                await _client.PutItemAsync(target, item);
            }

            request.ExclusiveStartKey = page.LastEvaluatedKey;
        }
        while (request.ExclusiveStartKey is { Count: > 0 });
    }

    /// <summary>Runs the script with the AWS CLI at DynamoDB Local; returns its output, asserting its exit code.</summary>
    private async Task<string> RunScriptAsync(string userId, string copyPrefix, Session? reloadAs, int expectedExitCode = 0)
    {
        var aws = await TestTools.EnsureDebianCommandAsync("aws", "awscli", "The restore script test");
        await TestTools.EnsureDebianCommandAsync("jq", "jq", "The restore script test");
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        string[] arguments = [Path.Combine("deploy", "scripts", "restore-user.sh"), "--user-id", userId, "--from-prefix", copyPrefix, "--to-prefix", LivePrefix];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PATH"] = $"{Path.GetDirectoryName(aws)}{Path.PathSeparator}{Environment.GetEnvironmentVariable("PATH")}";
        start.Environment["AWS_ENDPOINT_URL"] = _dynamoDb.ServiceUrl;
        start.Environment["AWS_ACCESS_KEY_ID"] = DynamoDbLocal.AccessKey;
        start.Environment["AWS_SECRET_ACCESS_KEY"] = DynamoDbLocal.SecretKey;
        start.Environment["AWS_DEFAULT_REGION"] = DynamoDbLocal.Region;
        start.Environment["AUTH_EMAIL_KEY"] = Convert.ToBase64String(GatewayHost.EmailKey);
        if (reloadAs is not null)
        {
            start.ArgumentList.Add("--reload");
            start.Environment["GATEWAY_URL"] = _host.Address.ToString();
            start.Environment["ADMIN_TOKEN"] = reloadAs.AccessToken;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await output + await errors;
        Assert.True(process.ExitCode == expectedExitCode, $"exit code {process.ExitCode}:\n{text}");
        return text;
    }

    /// <summary>A restart: every activation is gone, so what the API shows is what storage holds.</summary>
    private async Task RestartAsync()
    {
        await _host.DisposeAsync();
        _host = await GatewayHost.StartAsync(_settings);
        _api = new Support.Api(_host.Client);
    }

    private async Task<Session> LoginAsync(string email)
    {
        var reply = await _api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", new JsonObject { ["email"] = email, ["password"] = Support.Api.Password });
        Expect.Status(reply, HttpStatusCode.OK);
        return Support.Api.ToSession(reply, email);
    }

    private async Task<List<string>> TaskNamesAsync(string token) =>
        [.. (await _api.GetAsync("/api/v1/me/tasks", token)).Data.AsArray().Select(task => task!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal)];
}
