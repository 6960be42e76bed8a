namespace UserData.Grains.Common;

/// <summary>One page of a list and the total number of items across all pages.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Limit, int Offset, int Total)
{
    public bool HasMore => Offset + Items.Count < Total;

    public static Page<T> Of(IEnumerable<T> ordered, int total, int limit, int offset) =>
        new(ordered.Skip(offset).Take(limit).ToList(), limit, offset, total);
}
