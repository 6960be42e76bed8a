using System.Text;

namespace UserData.Runtime.Grains;

/// <summary>The identity of a grain: its type name and its string key, e.g. <c>user/42</c>.</summary>
public readonly record struct GrainId
{
    /// <summary>Longest key in UTF-8 bytes; with the type it stays well inside DynamoDB's 2048-byte partition key.</summary>
    public const int MaxKeyBytes = 1024;

    public GrainId(string type, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length == 0)
        {
            throw new ArgumentException("A grain key must not be empty.", nameof(key));
        }

        if (key.Length > MaxKeyBytes / 3 && Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            throw new ArgumentException(
                $"A grain key must be at most {MaxKeyBytes} UTF-8 bytes; this one is {Encoding.UTF8.GetByteCount(key)}.", nameof(key));
        }

        Type = type;
        Key = key;
    }

    public string Type { get; }

    public string Key { get; }

    /// <summary>The storage form, <c>type/key</c>.</summary>
    public override string ToString() => $"{Type}/{Key}";
}
