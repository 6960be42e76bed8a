using UserData.TestSupport;

namespace UserData.Cluster.Tests;

/// <summary>Clustered mode (<c>Cluster__Provider=DynamoDB</c>) without the TLS settings refuses to start, naming them.</summary>
public sealed class ClusterWithoutTlsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("UserData.Silo.dll", true)]
    [InlineData("UserData.Gateway.dll", true)]
    [InlineData("UserData.Gateway.dll", false)]
    public async Task A_clustered_process_without_TLS_settings_exits_non_zero_naming_the_three_settings(string program, bool coHostSilo)
    {
        // Nothing is reached: the settings are refused before any connection is made.
        var settings = ClusterProcessSettings.Member("http://127.0.0.1:9", DynamoDbLocal.NewTablePrefix(), "no-tls", tls: null)
            .AsGateway("admin@no-tls.example");
        settings["Gateway__CoHostSilo"] = coHostSilo ? "true" : "false";
        await using var process = HostProcess.Launch(program, settings);

        var exitCode = await process.WaitForExitAsync(Deadline);

        Assert.NotEqual(0, exitCode);
        foreach (var key in new[] { "Cluster__Tls__CertificatePath", "Cluster__Tls__KeyPath", "Cluster__Tls__CaPath" })
        {
            Assert.Contains(key, process.Output, StringComparison.Ordinal);
        }
    }
}
