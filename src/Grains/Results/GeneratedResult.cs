namespace UserData.Grains.Results;

/// <summary>A stored result: one per data version of the user.</summary>
public sealed record GeneratedResult(string Id, long DataVersion, DateTimeOffset GeneratedAt, ResultSummary Summary);

public sealed record ResultSummary(
    int TasksTotal,
    IReadOnlyDictionary<string, int> ByStatus,
    double CompletionRate,
    int Overdue,
    IReadOnlyDictionary<string, int> ByCategory,
    IReadOnlyDictionary<string, int> ByTag);
