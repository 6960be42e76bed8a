namespace UserData.Grains.Common;

/// <summary>One page of a list and the total number of items across all pages.</summary>
[GenerateSerializer, Immutable, Alias("page`1")]
public sealed record Page<T>([property: Id(0)] IReadOnlyList<T> Items, [property: Id(1)] int Limit, [property: Id(2)] int Offset, [property: Id(3)] int Total)
{
    public bool HasMore => Offset + Items.Count < Total;

    public static Page<T> Of(IEnumerable<T> ordered, int total, int limit, int offset) =>
        new(ordered.Skip(offset).Take(limit).ToList(), limit, offset, total);
}
