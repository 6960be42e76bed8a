using Orleans;
using Orleans.Runtime;

namespace UserData.Providers.Tests.GrainStorage;

/// <summary>A small state written whole, like the product's email claims: a nested object and free text.</summary>
[GenerateSerializer, Alias("UserData.Providers.Tests.GrainStorage.ClaimRecord")]
public sealed record ClaimRecord
{
    [Id(0)] public string? Owner { get; set; }

    [Id(1)] public ClaimDetails? Details { get; set; }
}

[GenerateSerializer, Alias("UserData.Providers.Tests.GrainStorage.ClaimDetails")]
public sealed record ClaimDetails
{
    [Id(0)] public string? Email { get; set; }

    [Id(1)] public int Confirmations { get; set; }
}

[Alias("UserData.Providers.Tests.GrainStorage.IClaimGrain")]
public interface IClaimGrain : IGrainWithStringKey
{
    /// <summary>The stored claim, or null when none was written.</summary>
    [Alias("Get")]
    Task<ClaimRecord?> Get();

    [Alias("Set")]
    Task Set(ClaimRecord claim);

    /// <summary>An id of this activation, to tell a fresh activation from an old one.</summary>
    [Alias("ActivationId")]
    Task<Guid> ActivationId();
}

/// <summary>A grain on the grain storage named <see cref="GrainStorageContract.StorageName"/>, as the product's claim grains are.</summary>
public sealed class ClaimGrain([PersistentState(GrainStorageContract.StateName, GrainStorageContract.StorageName)] IPersistentState<ClaimRecord> claim) : Grain, IClaimGrain
{
    private readonly Guid _activationId = Guid.NewGuid();

    public Task<ClaimRecord?> Get() => Task.FromResult(claim.RecordExists ? claim.State : null);

    public Task Set(ClaimRecord value)
    {
        claim.State = value;
        return claim.WriteStateAsync();
    }

    public Task<Guid> ActivationId() => Task.FromResult(_activationId);
}
