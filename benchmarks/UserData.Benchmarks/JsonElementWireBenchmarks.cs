using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Configuration;
using UserData.Grains.Common;
using UserData.Grains.Users;

namespace UserData.Benchmarks;

/// <summary>
/// <c>GET /me</c>'s answer crossing a grain call between processes: the user's silo serializes a <see cref="UserProfile"/>
/// and a pure gateway reads it. The product's serializer (JSON values as their text, <see cref="JsonElementSurrogate"/>)
/// against the baseline, Orleans' System.Text.Json codec for the same JSON values, which the product used before.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class JsonElementWireBenchmarks
{
    private readonly UserProfile _profile = new(
        Guid.NewGuid().ToString(), "someone@example.com", "Someone", Roles.User,
        JsonElement.Parse("""{"theme":"dark","locale":"en-GB","notifications":{"email":true,"push":false}}"""),
        12, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private ServiceProvider _product = null!;
    private ServiceProvider _jsonCodec = null!;
    private Serializer<UserProfile> _productSerializer = null!;
    private Serializer<UserProfile> _jsonCodecSerializer = null!;

    [GlobalSetup]
    public void SetUp()
    {
        _product = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var jsonCodec = new ServiceCollection().AddSerializer(serializer => serializer.AddJsonSerializer(isSupported: _ => false));
        jsonCodec.Configure<TypeManifestOptions>(manifest =>
        {
            manifest.Converters.Remove(typeof(JsonElementSurrogateConverter));
            manifest.Copiers.Remove(typeof(JsonElementCopier));
        });
        _jsonCodec = jsonCodec.BuildServiceProvider();
        _productSerializer = _product.GetRequiredService<Serializer<UserProfile>>();
        _jsonCodecSerializer = _jsonCodec.GetRequiredService<Serializer<UserProfile>>();
        if (RoundTrip(_jsonCodecSerializer).Attributes.GetRawText() != _profile.Attributes.GetRawText()
            || RoundTrip(_productSerializer).Attributes.GetRawText() != _profile.Attributes.GetRawText())
        {
            throw new InvalidOperationException("A serializer lost the profile's attributes.");
        }
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        _product.Dispose();
        _jsonCodec.Dispose();
    }

    [Benchmark(Baseline = true)]
    public UserProfile OrleansJsonCodec() => RoundTrip(_jsonCodecSerializer);

    [Benchmark]
    public UserProfile JsonTextSurrogate() => RoundTrip(_productSerializer);

    private UserProfile RoundTrip(Serializer<UserProfile> serializer) => serializer.Deserialize(serializer.SerializeToArray(_profile))!;
}
