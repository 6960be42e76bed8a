namespace UserData.Grains.Common;

/// <summary>Timestamps of the API have millisecond precision: cut them there once, where they are made.</summary>
public static class Clock
{
    public static DateTimeOffset Now(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return Truncate(time.GetUtcNow());
    }

    public static DateTimeOffset Truncate(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
}

/// <summary>The API's timestamp form: ISO 8601 UTC with milliseconds, <c>2026-01-01T12:00:00.000Z</c>.</summary>
public static class Timestamps
{
    /// <summary>UTF-8 bytes (and characters) of every timestamp.</summary>
    public const int Length = 24;

    public static string ToText(DateTimeOffset value)
    {
        Span<byte> text = stackalloc byte[Length];
        return System.Text.Encoding.ASCII.GetString(text[..FormatUtf8(value, text)]);
    }

    /// <summary>Writes <paramref name="value"/> into <paramref name="destination"/> (at least <see cref="Length"/> bytes); returns the bytes written.</summary>
    public static int FormatUtf8(DateTimeOffset value, Span<byte> destination)
    {
        // "O" is formatted without parsing a pattern (a custom pattern was a visible cost on every response):
        // 2026-01-01T12:00:00.0000000Z, whose milliseconds end at index 23.
        Span<byte> roundTrip = stackalloc byte[28];
        value.UtcDateTime.TryFormat(roundTrip, out _, "O", System.Globalization.CultureInfo.InvariantCulture);
        roundTrip[..23].CopyTo(destination);
        destination[23] = (byte)'Z';
        return Length;
    }
}
