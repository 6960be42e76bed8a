namespace UserData.Grains.Requests;

/// <summary>limit/offset paging of a list, newest first unless said otherwise.</summary>
[GenerateSerializer, Immutable, Alias("page-query")]
public sealed record PageQuery([property: Id(0)] int Limit = PageQuery.DefaultLimit, [property: Id(1)] int Offset = 0)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
}

/// <summary>GET /me/tasks filters and order.</summary>
[GenerateSerializer, Immutable, Alias("task-list-query")]
public sealed record TaskListQuery(
    [property: Id(0)] int Limit = PageQuery.DefaultLimit,
    [property: Id(1)] int Offset = 0,
    [property: Id(2)] string? Status = null,
    [property: Id(3)] string? Category = null,
    [property: Id(4)] string? Tag = null,
    [property: Id(5)] string Sort = TaskListQuery.DefaultSort)
{
    public const string DefaultSort = "created_at:desc";
}
