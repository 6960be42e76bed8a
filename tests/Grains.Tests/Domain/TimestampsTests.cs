using UserData.Grains.Common;

namespace UserData.Grains.Tests.Domain;

public sealed class TimestampsTests
{
    [Theory]
    [InlineData("2026-01-01T12:00:00.0000000+00:00", "2026-01-01T12:00:00.000Z")]
    [InlineData("2026-11-22T03:04:05.1239999+00:00", "2026-11-22T03:04:05.123Z")]
    [InlineData("2026-11-22T23:30:00.5000000-02:00", "2026-11-23T01:30:00.500Z")]
    [InlineData("0001-01-01T00:00:00.0000000+00:00", "0001-01-01T00:00:00.000Z")]
    [InlineData("9999-12-31T23:59:59.9999999+00:00", "9999-12-31T23:59:59.999Z")]
    public void A_timestamp_is_written_in_UTC_with_milliseconds_cut_not_rounded(string value, string expected)
    {
        var time = DateTimeOffset.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        Span<byte> utf8 = stackalloc byte[Timestamps.Length];

        Assert.Equal(expected, Timestamps.ToText(time));
        Assert.Equal(Timestamps.Length, Timestamps.FormatUtf8(time, utf8));
        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(utf8));
    }
}
