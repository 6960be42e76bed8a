namespace UserData.Grains.Results;

/// <summary>A stored result: one per data version of the user.</summary>
[GenerateSerializer, Immutable, Alias("generated-result")]
public sealed record GeneratedResult(
    [property: Id(0)] string Id,
    [property: Id(1)] long DataVersion,
    [property: Id(2)] DateTimeOffset GeneratedAt,
    [property: Id(3)] ResultSummary Summary);

[GenerateSerializer, Immutable, Alias("result-summary")]
public sealed record ResultSummary(
    [property: Id(0)] int TasksTotal,
    [property: Id(1)] IReadOnlyDictionary<string, int> ByStatus,
    [property: Id(2)] double CompletionRate,
    [property: Id(3)] int Overdue,
    [property: Id(4)] IReadOnlyDictionary<string, int> ByCategory,
    [property: Id(5)] IReadOnlyDictionary<string, int> ByTag);
