using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Orleans;
using UserData.Gateway.Tests.Support;
using UserData.Grains.Common;
using UserData.Grains.Users;
using UserData.TestSupport;

namespace UserData.Gateway.Tests.Dashboard;

/// <summary>
/// Issue 11 item 9: the dashboard's grain profiler counts a call that throws as a failure; a client's mistake (404 for
/// a task that does not exist: the grain throws NotFoundException) must not show as one, a real failure must.
/// </summary>
public sealed class DashboardErrorFiguresTests(DashboardGateway gateway) : IClassFixture<DashboardGateway>
{
    private const string UserGrainType = "UserData.Grains.Users.UserGrain";

    [Fact]
    public async Task Not_found_answers_leave_the_dashboards_error_counts_at_zero_while_a_real_failure_counts()
    {
        var user = await gateway.Api.RegisterAsync();

        // The profiler records only while someone reads the dashboard: keep reading it while the 404s are made.
        await Eventually.TrueAsync(async () =>
        {
            Expect.Error(await gateway.Api.GetAsync($"/api/v1/me/tasks/{Guid.NewGuid()}", user.AccessToken), HttpStatusCode.NotFound, "NOT_FOUND");
            return (await UserGrainFiguresAsync()).Calls > 0;
        }, because: "the dashboard shows the user grain's calls");
        for (var i = 0; i < 20; i++)
        {
            Expect.Error(await gateway.Api.GetAsync($"/api/v1/me/tasks/{Guid.NewGuid()}", user.AccessToken), HttpStatusCode.NotFound, "NOT_FOUND");
        }

        var callsBefore = (await UserGrainFiguresAsync()).Calls;
        await Eventually.TrueAsync(async () => (await UserGrainFiguresAsync()).Calls >= callsBefore + 20, because: "the dashboard counts the 404s' calls");
        Assert.Equal(0, (await UserGrainFiguresAsync()).Exceptions);
        Assert.Empty((await AdminGetAsync("/dashboard/TopGrainMethods"))["errors"]!.AsArray());

        // A real failure: the grain refuses a null argument (a bug in a caller, not a client's mistake).
        var grain = gateway.Host.Services.GetRequiredService<IGrainFactory>().GetGrain<IUserGrain>(user.UserId);
        await Assert.ThrowsAsync<ArgumentNullException>(() => grain.UpdateProfileAsync(null!, null, new RequestOrigin("test")));

        await Eventually.TrueAsync(async () => (await UserGrainFiguresAsync()).Exceptions == 1, because: "the dashboard counts the real failure");
        Assert.Contains(
            (await AdminGetAsync("/dashboard/TopGrainMethods"))["errors"]!.AsArray(),
            error => error!["method"]!.GetValue<string>() == nameof(IUserGrain.UpdateProfileAsync));
    }

    private async Task<(long Calls, long Exceptions)> UserGrainFiguresAsync()
    {
        var counters = await AdminGetAsync("/dashboard/DashboardCounters");
        var userGrains = counters["simpleGrainStats"]!.AsArray().Where(stat => stat!["grainType"]!.GetValue<string>() == UserGrainType).ToList();
        return (userGrains.Sum(stat => stat!["totalCalls"]!.GetValue<long>()), userGrains.Sum(stat => stat!["totalExceptions"]!.GetValue<long>()));
    }

    private async Task<JsonNode> AdminGetAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", gateway.Admin.AccessToken);
        using var response = await gateway.Host.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {body}");
        return JsonNode.Parse(body)!;
    }
}
