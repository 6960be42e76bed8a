using System.Buffers;
using System.Text;

namespace UserData.Runtime.Cluster.Placement;

/// <summary>
/// A 64-bit hash that is the same in every process and version (unlike <see cref="HashCode"/>, which is randomized
/// per process): FNV-1a over UTF-8, then MurmurHash3's finalizer so that nearby inputs spread over all bits.
/// </summary>
public static class StableHash
{
    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;
    private const int StackLimit = 512;

    public static ulong Hash(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(text, buffer);
            return Mix(Fnv1A(FnvOffset, buffer[..written]));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Hash of <c>type/key</c>, without building the string.</summary>
    public static ulong Hash(string type, string key)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(key);
        var hash = Fnv1A(FnvOffset, type);
        hash = Fnv1A(hash, "/");
        return Mix(Fnv1A(hash, key));
    }

    /// <summary>MurmurHash3's 64-bit finalizer: a bijection with full avalanche.</summary>
    public static ulong Mix(ulong value)
    {
        value ^= value >> 33;
        value *= 0xff51afd7ed558ccd;
        value ^= value >> 33;
        value *= 0xc4ceb9fe1a85ec53;
        value ^= value >> 33;
        return value;
    }

    private static ulong Fnv1A(ulong hash, string text)
    {
        Span<byte> buffer = stackalloc byte[StackLimit];
        var remaining = text.AsSpan();
        while (!remaining.IsEmpty)
        {
            // At most StackLimit / 3 chars per slice fits any UTF-8 encoding; a surrogate pair is kept together.
            var take = Math.Min(remaining.Length, StackLimit / 3);
            if (take < remaining.Length && char.IsHighSurrogate(remaining[take - 1]))
            {
                take--;
            }

            var written = Encoding.UTF8.GetBytes(remaining[..take], buffer);
            hash = Fnv1A(hash, buffer[..written]);
            remaining = remaining[take..];
        }

        return hash;
    }

    private static ulong Fnv1A(ulong hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var value in bytes)
        {
            hash = (hash ^ value) * FnvPrime;
        }

        return hash;
    }
}
