using UserData.Grains.Common;
using UserData.Grains.Emails;
using UserData.Grains.Requests;
using UserData.Grains.Users;

namespace UserData.Benchmarks.Support;

/// <summary>Users made the way the gateway makes them: registration through the email grain, commands on the user grain.</summary>
internal static class BenchmarkUsers
{
    public static RequestOrigin Request { get; } = new("benchmark");

    /// <summary>Registers a user (a new GUID, as the gateway gives) and returns its grain.</summary>
    public static async Task<IUserGrain> RegisterAsync(IGrainFactory grains, string name)
    {
        var registration = new Registration(Guid.NewGuid().ToString(), $"{name}@example.com", "HASH", null, Roles.User);
        await grains.GetGrain<IEmailGrain>($"email-{name}").RegisterAsync(registration, null, Request).ConfigureAwait(false);
        return grains.GetGrain<IUserGrain>(registration.UserId);
    }

    /// <summary>One journal event: a profile change (the display name is new each time, so an event is always raised).</summary>
    public static Task RenameAsync(IUserGrain user, int n) =>
        user.UpdateProfileAsync(new UpdateProfileRequest { DisplayName = new Optional<string>($"Ada {n}") }, null, Request);
}
