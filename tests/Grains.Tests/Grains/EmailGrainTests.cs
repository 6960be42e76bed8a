using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;
using UserData.Grains.Common;
using UserData.Grains.Emails;
using UserData.Grains.Errors;
using UserData.Grains.Users;

namespace UserData.Grains.Tests.Grains;

/// <summary>Registration is unique per email without a lock, and stays right when the process dies between the two grains' writes.</summary>
public class EmailGrainTests
{
    [Fact]
    public async Task Concurrent_registrations_of_one_email_give_one_user_and_email_taken_for_the_rest()
    {
        await using var cluster = await UserDataCluster.StartAsync();

        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            try
            {
                return (await cluster.RegisterAsync("same@example.com")).Value.Id;
            }
            catch (EmailTakenException)
            {
                return null;
            }
        }));

        var winner = Assert.Single(attempts.OfType<string>());
        Assert.Equal(winner, await cluster.Grains.GetGrain<IEmailGrain>("same@example.com").GetClaimantAsync());
    }

    [Fact]
    public async Task Registrations_of_one_email_through_two_clusters_on_one_store_give_one_user()
    {
        // Two clusters on one store each activate the email and user grains: the duplicate activation Orleans allows in
        // rare membership races, forced. ETags on the claim and the journal's fence on the user keep one winner.
        await using var first = await UserDataCluster.StartAsync();
        await using var second = await UserDataCluster.StartAsync(sharedFolder: first.Folder);
        var winners = new Dictionary<string, string>();
        for (var round = 0; round < 5; round++)
        {
            var email = $"split-{round}@example.com";

            var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
            {
                var grains = (i % 2 == 0 ? first : second).Grains;
                try
                {
                    return (await grains.GetGrain<IEmailGrain>(email).RegisterAsync(new Registration(Guid.NewGuid().ToString(), email, "HASH", null, Roles.User), null, UserDataCluster.Request)).Value.Id;
                }
                catch (EmailTakenException)
                {
                    return null;
                }
            }));

            winners[email] = Assert.Single(attempts.OfType<string>());
        }

        // A third cluster has no stale activation: each email leads to its winner, who is registered.
        await using var fresh = await UserDataCluster.StartAsync(sharedFolder: first.Folder);
        foreach (var (email, winner) in winners)
        {
            Assert.Equal(winner, await fresh.Grains.GetGrain<IEmailGrain>(email).GetClaimantAsync());
            Assert.Equal(email, await fresh.Grains.GetGrain<IUserGrain>(winner).GetRegisteredEmailAsync());
        }
    }

    [Fact]
    public async Task A_claim_whose_user_never_registered_is_released_by_the_next_registration()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var orphan = Guid.NewGuid().ToString();
        await WriteClaimAsync(cluster, "crash1@example.com", new EmailClaim { UserId = orphan, ClaimedAt = DateTimeOffset.UtcNow });

        var registered = await cluster.RegisterAsync("crash1@example.com");

        Assert.NotEqual(orphan, registered.Value.Id);
        Assert.Equal(registered.Value.Id, await cluster.Grains.GetGrain<IEmailGrain>("crash1@example.com").GetClaimantAsync());
    }

    [Fact]
    public async Task A_claim_whose_user_did_register_is_confirmed_and_the_email_stays_taken()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var userId = Guid.NewGuid().ToString();
        await WriteClaimAsync(cluster, "crash2@example.com", new EmailClaim { UserId = userId, ClaimedAt = DateTimeOffset.UtcNow });
        await cluster.Grains.GetGrain<IUserGrain>(userId)
            .RegisterAsync(new NewUser(userId, "crash2@example.com", "HASH", null, Roles.User), UserDataCluster.Request);

        await Assert.ThrowsAsync<EmailTakenException>(() => cluster.RegisterAsync("crash2@example.com"));

        Assert.Equal(userId, await cluster.Grains.GetGrain<IEmailGrain>("crash2@example.com").GetClaimantAsync());
        Assert.True((await ReadClaimAsync(cluster, "crash2@example.com")).Confirmed);
    }

    [Fact]
    public async Task An_erase_that_died_before_releasing_the_email_leaves_it_free_for_the_next_registration()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var first = await cluster.RegisterAsync("crash3@example.com");
        await cluster.Grains.GetGrain<IUserGrain>(first.Value.Id).EraseAsync(null, UserDataCluster.Request);

        var second = await cluster.RegisterAsync("crash3@example.com");

        Assert.NotEqual(first.Value.Id, second.Value.Id);
        Assert.Null(await cluster.Grains.GetGrain<IUserGrain>(first.Value.Id).GetCredentialsAsync());
    }

    [Fact]
    public async Task Release_after_erase_frees_the_email_and_ignores_other_users()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var user = await cluster.RegisterAsync("free@example.com");
        var email = cluster.Grains.GetGrain<IEmailGrain>("free@example.com");

        await email.ReleaseAsync(Guid.NewGuid().ToString(), UserDataCluster.Request);
        Assert.Equal(user.Value.Id, await email.GetClaimantAsync());

        await cluster.Grains.GetGrain<IUserGrain>(user.Value.Id).EraseAsync(null, UserDataCluster.Request);
        await email.ReleaseAsync(user.Value.Id, UserDataCluster.Request);
        Assert.Null(await email.GetClaimantAsync());
    }

    [Fact]
    public async Task A_registration_retried_with_its_idempotency_key_returns_the_same_user()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var key = new IdempotencyKey("k1", "fingerprint-a");

        var first = await cluster.RegisterAsync("idem@example.com", key);
        var again = await cluster.RegisterAsync("idem@example.com", key);

        Assert.Equal(first.Value.Id, again.Value.Id);
        Assert.True(again.Replayed);
        await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() => cluster.RegisterAsync("idem@example.com", key with { Fingerprint = "other" }));
        await Assert.ThrowsAsync<EmailTakenException>(() => cluster.RegisterAsync("idem@example.com", new IdempotencyKey("k2", "fingerprint-a")));
    }

    /// <summary>A claim as a registration that died after its first step left it, written straight to the claims' storage.</summary>
    private static async Task WriteClaimAsync(UserDataCluster cluster, string email, EmailClaim claim)
    {
        var state = new GrainState<EmailClaim>(claim);
        await ClaimStorage(cluster).WriteStateAsync("claim", GrainId.Create("email", email), state);
    }

    private static async Task<EmailClaim> ReadClaimAsync(UserDataCluster cluster, string email)
    {
        var state = new GrainState<EmailClaim>(new EmailClaim());
        await ClaimStorage(cluster).ReadStateAsync("claim", GrainId.Create("email", email), state);
        return state.State ?? throw new InvalidOperationException($"No claim is stored for {email}.");
    }

    private static IGrainStorage ClaimStorage(UserDataCluster cluster) =>
        cluster.Cluster.Silos[0].ServiceProvider!.GetRequiredKeyedService<IGrainStorage>(ProviderNames.Claims);
}
