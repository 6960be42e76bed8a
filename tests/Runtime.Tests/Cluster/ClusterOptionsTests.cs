using System.ComponentModel.DataAnnotations;
using UserData.Runtime.Cluster;

namespace UserData.Runtime.Tests.Cluster;

public sealed class ClusterOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_for_a_local_silo() => Assert.Empty(Validate(new ClusterOptions()));

    [Fact]
    public void DynamoDB_clustering_needs_a_secret()
    {
        var errors = Validate(new ClusterOptions { Provider = ClusterProvider.DynamoDB });
        Assert.Contains(errors, error => error.MemberNames.Contains(nameof(ClusterOptions.Secret)));
        Assert.Empty(Validate(new ClusterOptions { Provider = ClusterProvider.DynamoDB, Secret = "0123456789abcdef" }));
    }

    [Fact]
    public void A_lease_shorter_than_two_heartbeats_is_refused()
    {
        var errors = Validate(new ClusterOptions { HeartbeatInterval = TimeSpan.FromSeconds(4), SuspicionTimeout = TimeSpan.FromSeconds(10) });
        Assert.Contains(errors, error => error.MemberNames.Contains(nameof(ClusterOptions.SelfFenceMargin)));
    }

    [Fact]
    public void A_self_fence_margin_under_half_a_heartbeat_is_refused()
    {
        var errors = Validate(new ClusterOptions { HeartbeatInterval = TimeSpan.FromSeconds(2), SelfFenceMargin = TimeSpan.FromMilliseconds(500) });
        Assert.Contains(errors, error => error.MemberNames.Contains(nameof(ClusterOptions.SelfFenceMargin)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    public void A_malformed_cluster_id_is_refused(string clusterId) =>
        Assert.Contains(Validate(new ClusterOptions { ClusterId = clusterId }), error => error.MemberNames.Contains(nameof(ClusterOptions.ClusterId)));

    private static List<ValidationResult> Validate(ClusterOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
