using System.ComponentModel.DataAnnotations;
using System.Text;
using UserData.Runtime.Cluster;
using UserData.Runtime.Cluster.Transport;

namespace UserData.Runtime.Tests.Cluster;

/// <summary>The silo port's request signatures: one use per signed request, a bounded replay cache, and secret rotation.</summary>
public sealed class RequestSignerTests
{
    private const string Secret = "the-current-cluster-secret";
    private const string OldSecret = "the-previous-cluster-secret";
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(5);

    [Fact]
    public void A_signed_request_is_accepted_once_and_its_replay_is_refused()
    {
        var signer = new RequestSigner(Secret, Skew);
        var body = Body(1);
        var (timestamp, nonce, signature) = signer.Sign("POST", "/call", body);

        Assert.Null(signer.Verify("POST", "/call", timestamp, nonce, signature, body));
        Assert.Equal("replayed nonce", signer.Verify("POST", "/call", timestamp, nonce, signature, body));
    }

    [Fact]
    public void The_nonce_is_covered_by_the_signature()
    {
        var signer = new RequestSigner(Secret, Skew);
        var body = Body(1);
        var (timestamp, _, signature) = signer.Sign("POST", "/call", body);

        Assert.Equal("wrong signature", signer.Verify("POST", "/call", timestamp, Guid.NewGuid().ToString("N"), signature, body));
    }

    [Fact]
    public void A_request_without_a_nonce_is_refused()
    {
        var signer = new RequestSigner(Secret, Skew);
        var (timestamp, _, signature) = signer.Sign("POST", "/call", Body(1));

        Assert.Equal("missing signature", signer.Verify("POST", "/call", timestamp, null, signature, Body(1)));
    }

    [Fact]
    public async Task Concurrent_distinct_requests_are_all_accepted()
    {
        var signer = new RequestSigner(Secret, Skew);
        const int Senders = 4;
        const int RequestsPerSender = 5_000;

        var refusals = await Task.WhenAll(Enumerable.Range(0, Senders).Select(sender => Task.Run(() =>
        {
            var refused = 0;
            for (var i = 0; i < RequestsPerSender; i++)
            {
                var body = Body(i);
                var (timestamp, nonce, signature) = signer.Sign("POST", "/call", body);
                refused += signer.Verify("POST", "/call", timestamp, nonce, signature, body) is null ? 0 : 1;
            }

            return refused;
        })));

        Assert.Equal(0, refusals.Sum());
        Assert.Equal(Senders * RequestsPerSender, signer.RememberedNonces);
    }

    [Fact]
    public void Remembered_nonces_expire_with_the_clock_skew_window()
    {
        var time = new ManualTime();
        var signer = new RequestSigner(Secret, Skew, time);
        var (timestamp, nonce, signature) = signer.Sign("POST", "/call", Body(1));
        Assert.Null(signer.Verify("POST", "/call", timestamp, nonce, signature, Body(1)));
        for (var i = 0; i < 99; i++)
        {
            Accept(signer, i);
        }

        time.Advance(Skew);
        Assert.Equal(100, signer.RememberedNonces); // still inside the window: a replay would still be refused
        Assert.Equal("replayed nonce", signer.Verify("POST", "/call", timestamp, nonce, signature, Body(1)));

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, signer.RememberedNonces);
        Assert.Equal("expired timestamp", signer.Verify("POST", "/call", timestamp, nonce, signature, Body(1)));
    }

    [Fact]
    public void At_the_capacity_memory_stays_bounded_and_a_dropped_nonce_is_still_refused()
    {
        var time = new ManualTime();
        var signer = new RequestSigner(Secret, Skew, time, replayCacheCapacity: 1_000);
        var (timestamp, nonce, signature) = signer.Sign("POST", "/call", Body(-1));
        Assert.Null(signer.Verify("POST", "/call", timestamp, nonce, signature, Body(-1)));

        for (var i = 0; i < 2_500; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            Accept(signer, i);
        }

        Assert.Equal(1_000, signer.RememberedNonces);
        Assert.Equal("timestamp older than the replay window", signer.Verify("POST", "/call", timestamp, nonce, signature, Body(-1)));
        Accept(signer, 2_500); // a fresh request is still served at the capacity
    }

    [Fact]
    public void A_request_signed_with_the_previous_secret_is_accepted_when_it_is_configured()
    {
        var old = new RequestSigner(OldSecret, Skew);
        var rotated = new RequestSigner(Secret, Skew, previousSecret: OldSecret);
        var (timestamp, nonce, signature) = old.Sign("POST", "/call", Body(1));

        Assert.Null(rotated.Verify("POST", "/call", timestamp, nonce, signature, Body(1)));
        Assert.Equal("replayed nonce", rotated.Verify("POST", "/call", timestamp, nonce, signature, Body(1)));
    }

    [Fact]
    public void A_request_signed_with_the_previous_secret_is_refused_when_it_is_not_configured()
    {
        var old = new RequestSigner(OldSecret, Skew);
        var current = new RequestSigner(Secret, Skew);
        var (timestamp, nonce, signature) = old.Sign("POST", "/call", Body(1));

        Assert.Equal("wrong signature", current.Verify("POST", "/call", timestamp, nonce, signature, Body(1)));
    }

    [Fact]
    public void Signing_uses_the_current_secret_not_the_previous_one()
    {
        var rotated = new RequestSigner(Secret, Skew, previousSecret: OldSecret);
        var (timestamp, nonce, signature) = rotated.Sign("POST", "/call", Body(1));

        Assert.Null(new RequestSigner(Secret, Skew).Verify("POST", "/call", timestamp, nonce, signature, Body(1)));
        Assert.Equal("wrong signature", new RequestSigner(OldSecret, Skew).Verify("POST", "/call", timestamp, nonce, signature, Body(1)));
    }

    [Theory]
    [InlineData("short", false)]
    [InlineData("", true)]
    [InlineData("0123456789abcdef", true)]
    public void A_previous_secret_must_be_as_long_as_a_secret(string previous, bool valid)
    {
        var options = new ClusterOptions { Provider = ClusterProvider.DynamoDB, Secret = Secret, PreviousSecret = previous };
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);

        Assert.Equal(valid, !results.Any(result => result.MemberNames.Contains(nameof(ClusterOptions.PreviousSecret))));
    }

    private static void Accept(RequestSigner signer, int index)
    {
        var body = Body(index);
        var (timestamp, nonce, signature) = signer.Sign("POST", "/call", body);
        Assert.Null(signer.Verify("POST", "/call", timestamp, nonce, signature, body));
    }

    private static byte[] Body(int index) => Encoding.UTF8.GetBytes($"{{\"index\":{index}}}");

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
