using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using UserData.Gateway.Tests.Support;
using Orleans;
using Orleans.Runtime;

namespace UserData.Gateway.Tests.Api;

/// <summary>
/// Refresh and logout carry no access token, so the gateway checks a refresh token's integrity before any grain is
/// called: a forged token activates nothing, and tells nothing about whether its user id exists.
/// </summary>
public sealed class RefreshTokenIntegrityTests(SqliteGateway fixture) : IClassFixture<SqliteGateway>
{
    private const int Forgeries = 200;

    private Support.Api Api => fixture.Api;

    private static JsonObject Token(string refreshToken) => new() { ["refresh_token"] = refreshToken };

    /// <summary>User grain activations in the cluster, from Orleans' management grain.</summary>
    private async Task<int> UserActivationsAsync()
    {
        var statistics = await fixture.Host.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        return statistics.Where(statistic => statistic.GrainType.Contains(".UserGrain", StringComparison.Ordinal)).Sum(statistic => statistic.ActivationCount);
    }

    [Fact]
    public async Task Forged_refresh_and_logout_tokens_activate_no_grain()
    {
        var real = await Api.RegisterAsync();
        var parts = real.RefreshToken.Split('.');
        var before = await UserActivationsAsync();

        for (var i = 0; i < Forgeries; i++)
        {
            // A random user id, and a real user's token with another secret (its user's grain is active already).
            var forged = i % 2 == 0 ? $"{Guid.NewGuid()}.{Guid.NewGuid():N}.{parts[2]}" : string.Join('.', [Guid.NewGuid().ToString(), .. parts[1..]]);
            Expect.Error(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(forged)), HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
            Expect.Status(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/logout", Token(forged)), HttpStatusCode.NoContent);
        }

        Assert.Equal(before, await UserActivationsAsync());
        Expect.Status(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(real.RefreshToken)), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Unknown_users_erased_users_and_tampered_tokens_get_the_same_answer()
    {
        var erased = await Api.RegisterAsync();
        Expect.Status(await Api.SendAsync(HttpMethod.Delete, "/api/v1/me", token: erased.AccessToken), HttpStatusCode.NoContent);
        var live = await Api.RegisterAsync();
        var parts = live.RefreshToken.Split('.');
        string[] refused =
        [
            erased.RefreshToken,
            string.Join('.', [Guid.NewGuid().ToString(), .. parts[1..]]),
            string.Join('.', [.. parts[..^1], parts[^1][..^2] + (parts[^1][^2..] == "AA" ? "BB" : "AA")]),
            string.Join('.', parts[..3]),
            "not a token",
        ];

        var answers = new List<string>();
        foreach (var token in refused)
        {
            var reply = await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(token));
            Expect.Error(reply, HttpStatusCode.Unauthorized, "UNAUTHENTICATED");
            answers.Add(reply.Body!["error"]!.ToJsonString());
        }

        Assert.Single(answers.Distinct());
        Expect.Status(await Api.SendAsync(HttpMethod.Post, "/api/v1/auth/refresh", Token(live.RefreshToken)), HttpStatusCode.OK);
    }
}
