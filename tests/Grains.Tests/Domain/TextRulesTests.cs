using UserData.Grains.Validation;

namespace UserData.Grains.Tests.Domain;

public class TextRulesTests
{
    [Theory]
    [InlineData("\uFF41dmin@example.test", "admin@example.test")] // fullwidth a
    [InlineData("ADMIN@EXAMPLE.TEST", "admin@example.test")]
    [InlineData("admin\uFF20example.test", "admin@example.test")] // fullwidth @
    [InlineData("\u212Bngstr\u00F6m", "\u00E5ngstr\u00F6m")] // Angstrom sign
    [InlineData("\uFB01le", "file")] // fi ligature
    [InlineData("\u0041\u030A", "\u00E5")] // A + combining ring, composed
    public void An_identity_key_is_nfkc_then_lower_case(string text, string key) =>
        Assert.Equal(key, TextRules.IdentityKey(text));

    [Fact]
    public void Normalization_works_in_this_process() => TextRules.EnsureNormalizationWorks();

    [Theory]
    [InlineData("a\u0000b")]
    [InlineData("bell\u0007")]
    [InlineData("zero\u200Bwidth")]
    [InlineData("\u202Eevil")]
    [InlineData("\u2066isolate\u2069")]
    [InlineData("\uFEFFbom")]
    [InlineData("soft\u00ADhyphen")]
    [InlineData("tag\U000E0041")]
    public void Control_and_format_characters_are_forbidden(string text) =>
        Assert.True(TextRules.HasForbiddenCharacters(text));

    [Fact]
    public void Lone_surrogates_are_forbidden_and_keep_their_identity()
    {
        // Built at run time: attribute arguments cannot carry a lone surrogate.
        var high = "lone" + (char)0xD800;
        var low = (char)0xDC00 + "lone";

        Assert.True(TextRules.HasForbiddenCharacters(high));
        Assert.True(TextRules.HasForbiddenCharacters(low));
        Assert.Equal(high, TextRules.IdentityKey(high));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("\U0001F468\u200D\U0001F469\u200D\U0001F467")] // joined emoji
    [InlineData("\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645")] // ZWNJ inside a Persian word
    [InlineData("caf\u00E9 \U0001F600")]
    public void Joiners_and_ordinary_text_are_allowed(string text) =>
        Assert.False(TextRules.HasForbiddenCharacters(text));

    [Fact]
    public void Emails_refuse_joiners_too() =>
        Assert.True(TextRules.HasForbiddenCharacters("a\u200Db@example.test", allowJoiners: false));

    [Theory]
    [InlineData("\u200D", true)]
    [InlineData("\u3164", true)] // Hangul filler
    [InlineData("\u2800 \u0301", true)] // braille blank, space, combining accent
    [InlineData(" ", true)]
    [InlineData("", false)]
    [InlineData("a\u200D", false)]
    public void Invisible_text_shows_nothing(string text, bool invisible) =>
        Assert.Equal(invisible, TextRules.IsInvisible(text));
}
