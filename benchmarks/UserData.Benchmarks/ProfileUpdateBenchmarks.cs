using System.Text.Json;
using BenchmarkDotNet.Attributes;
using UserData.Benchmarks.Support;
using UserData.Grains.Requests;
using UserData.Grains.Users;

namespace UserData.Benchmarks;

/// <summary>
/// <c>PATCH /me</c> changing one attribute, on the product's silo: of a user holding 1,000 attributes (about 20 KB of the
/// 32 KB limit) against one holding 10 (the baseline). Each update merges the patch, checks the limits, lists the audit
/// changes and appends a <c>profile.updated</c> event, which carries the whole attributes object, to the SQLite journal.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ProfileUpdateBenchmarks
{
    private const int UpdatesPerInvoke = 50;

    private string _folder = null!;
    private BenchmarkSilo _silo = null!;
    private IUserGrain _tenAttributes = null!;
    private IUserGrain _thousandAttributes = null!;
    private int _value;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _folder = Directory.CreateTempSubdirectory("userdata-bench-profile-").FullName;
        _silo = await BenchmarkSilo.StartAsync(Path.Combine(_folder, "userdata.db"));
        _tenAttributes = await UserWithAttributesAsync("ten", 10);
        _thousandAttributes = await UserWithAttributesAsync("thousand", 1_000);
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        await _silo.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = UpdatesPerInvoke)]
    public Task TenAttributes() => UpdateAsync(_tenAttributes);

    [Benchmark(OperationsPerInvoke = UpdatesPerInvoke)]
    public Task ThousandAttributes() => UpdateAsync(_thousandAttributes);

    private async Task UpdateAsync(IUserGrain user)
    {
        for (var i = 0; i < UpdatesPerInvoke; i++)
        {
            var patch = JsonSerializer.SerializeToElement(new Dictionary<string, int> { ["a0005"] = ++_value });
            await user.UpdateProfileAsync(new UpdateProfileRequest { Attributes = new(patch) }, null, BenchmarkUsers.Request).ConfigureAwait(false);
        }
    }

    private async Task<IUserGrain> UserWithAttributesAsync(string name, int count)
    {
        var user = await BenchmarkUsers.RegisterAsync(_silo.Grains, name);
        var attributes = Enumerable.Range(0, count).ToDictionary(i => $"a{i:D4}", i => $"value {i}");
        var profile = await user.UpdateProfileAsync(
            new UpdateProfileRequest { Attributes = new(JsonSerializer.SerializeToElement(attributes)) }, null, BenchmarkUsers.Request);
        if (profile.Attributes.GetPropertyCount() != count)
        {
            throw new InvalidOperationException($"The user holds {profile.Attributes.GetPropertyCount()} attributes, not {count}.");
        }

        return user;
    }
}
