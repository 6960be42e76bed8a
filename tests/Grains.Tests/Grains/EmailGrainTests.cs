using System.Text.Json;
using UserData.Grains.Common;
using UserData.Grains.Emails;
using UserData.Grains.Errors;
using UserData.Grains.Users;
using UserData.Runtime.Grains;
using UserData.Runtime.Journal;

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
    public async Task Registrations_of_one_email_through_two_silos_on_one_store_give_one_user()
    {
        for (var round = 0; round < 5; round++)
        {
            await using var cluster = await UserDataCluster.StartAsync(silos: 2);
            var email = $"split-{round}@example.com";

            var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
            {
                var grains = cluster.Cluster.Silos[i % 2].GrainFactory;
                try
                {
                    return (await grains.GetGrain<IEmailGrain>(email).RegisterAsync(new Registration(Guid.NewGuid().ToString(), email, "HASH", null, Roles.User), null, UserDataCluster.Request)).Value.Id;
                }
                catch (EmailTakenException)
                {
                    return null;
                }
                catch (StaleActivationException)
                {
                    // Both silos host the grain here (no placement), so a retried call can lose the race again: it is
                    // refused having written nothing (HTTP answers 503), which the checks below hold it to.
                    return null;
                }
            }));

            var winner = Assert.Single(attempts.OfType<string>());
            // A silo that joins now has no stale activation: the email leads to the winner, who is registered.
            var fresh = (await cluster.Cluster.AddSiloAsync()).GrainFactory;
            Assert.Equal(winner, await fresh.GetGrain<IEmailGrain>(email).GetClaimantAsync());
            Assert.Equal(email, await fresh.GetGrain<IUserGrain>(winner).GetRegisteredEmailAsync());
        }
    }

    [Fact]
    public async Task A_claim_whose_user_never_registered_is_released_by_the_next_registration()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var orphan = Guid.NewGuid().ToString();
        await AppendAsync(cluster, "crash1@example.com", new EmailClaimed(orphan, null, null));

        var registered = await cluster.RegisterAsync("crash1@example.com");

        Assert.NotEqual(orphan, registered.Value.Id);
        Assert.Equal(registered.Value.Id, await cluster.Grains.GetGrain<IEmailGrain>("crash1@example.com").GetClaimantAsync());
    }

    [Fact]
    public async Task A_claim_whose_user_did_register_is_confirmed_and_the_email_stays_taken()
    {
        await using var cluster = await UserDataCluster.StartAsync();
        var userId = Guid.NewGuid().ToString();
        await AppendAsync(cluster, "crash2@example.com", new EmailClaimed(userId, null, null));
        await cluster.Grains.GetGrain<IUserGrain>(userId)
            .RegisterAsync(new NewUser(userId, "crash2@example.com", "HASH", null, Roles.User), UserDataCluster.Request);

        await Assert.ThrowsAsync<EmailTakenException>(() => cluster.RegisterAsync("crash2@example.com"));

        Assert.Equal(userId, await cluster.Grains.GetGrain<IEmailGrain>("crash2@example.com").GetClaimantAsync());
        var events = await cluster.Storage.ReadAsync(new GrainId("email", "crash2@example.com"), 0, 100);
        Assert.Contains(events, stored => stored.Json.Contains("\"email.confirmed\"", StringComparison.Ordinal));
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

    private static async Task AppendAsync(UserDataCluster cluster, string email, EmailEvent @event)
    {
        var json = JsonSerializer.Serialize(@event with { At = DateTimeOffset.UtcNow }, JournalJson.Options);
        var grainId = new GrainId("email", email);
        var existing = await cluster.Storage.ReadAsync(grainId, 0, 1000);
        await cluster.Storage.AppendAsync(grainId, existing.Count, [json]);
    }
}
