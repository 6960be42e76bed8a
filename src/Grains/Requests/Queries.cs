namespace UserData.Grains.Requests;

/// <summary>limit/offset paging of a list, newest first unless said otherwise.</summary>
public sealed record PageQuery(int Limit = PageQuery.DefaultLimit, int Offset = 0)
{
    public const int DefaultLimit = 20;
    public const int MaxLimit = 100;
}

/// <summary>GET /me/tasks filters and order.</summary>
public sealed record TaskListQuery(
    int Limit = PageQuery.DefaultLimit,
    int Offset = 0,
    string? Status = null,
    string? Category = null,
    string? Tag = null,
    string Sort = TaskListQuery.DefaultSort)
{
    public const string DefaultSort = "created_at:desc";
}
