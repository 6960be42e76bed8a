using Orleans.EventSourcing.Common;

namespace UserData.Providers.Journal;

/// <summary>A journal storage call that failed and is being retried, as the grain's <c>OnConnectionIssue</c> sees it.</summary>
[GenerateSerializer]
[Alias("UserData.Providers.Journal.JournalOperationFailed")]
public sealed class JournalOperationFailed : PrimaryOperationFailed
{
    /// <summary><c>read</c>, <c>append</c> or <c>erase</c>.</summary>
    [Id(0)]
    public string Operation { get; set; } = "";

    public override string ToString() => $"journal {Operation} failed: {Exception.GetType().Name}: {Exception.Message}";
}
