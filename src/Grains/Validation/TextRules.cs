using System.Globalization;
using System.Text;

namespace UserData.Grains.Validation;

/// <summary>
/// How text that people type is normalized and which characters it may not hold.
/// <list type="bullet">
/// <item>Identities (emails, tags, task-name uniqueness) are compared in one form: Unicode NFKC, then lower-case, so a
/// fullwidth <c>ａdmin</c> is <c>admin</c> and <c>A</c> is <c>a</c>.</item>
/// <item>Names, emails, tags and categories refuse control characters, format characters (zero-width spaces, bidi
/// embeddings, overrides and isolates, the BOM, soft hyphens...) and lone surrogates. Names, tags and categories keep the
/// zero-width joiner and non-joiner, which emoji sequences and several scripts need; emails refuse them too.</item>
/// <item>A name, tag or category must show something: one made only of spaces, joiners, combining marks and blank
/// fillers (U+3164, U+2800...) is refused.</item>
/// </list>
/// NFKC needs ICU: with invariant globalization .NET returns non-ASCII text unnormalized, silently.
/// <see cref="EnsureNormalizationWorks"/> refuses to start a process where that is so.
/// </summary>
public static class TextRules
{
    private const char ZeroWidthNonJoiner = '\u200C';
    private const char ZeroWidthJoiner = '\u200D';

    /// <summary>The form an identity is compared (and an email or tag stored) in: NFKC, then lower-case.</summary>
    public static string IdentityKey(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Normalize throws on a lone surrogate; such text is refused by validation and never equals a valid key.
        return IsWellFormed(text) ? text.Normalize(NormalizationForm.FormKC).ToLowerInvariant() : text;
    }

    /// <summary>True when <paramref name="text"/> holds a control or format character or a lone surrogate.</summary>
    public static bool HasForbiddenCharacters(string text, bool allowJoiners = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!IsWellFormed(text))
        {
            return true;
        }

        foreach (var c in text)
        {
            var category = char.GetUnicodeCategory(c);
            if (category == UnicodeCategory.Control
                || (category == UnicodeCategory.Format && !(allowJoiners && c is ZeroWidthJoiner or ZeroWidthNonJoiner)))
            {
                return true;
            }
        }

        // Tag characters (U+E0000-E007F) and other supplementary format characters.
        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value > 0xFFFF && Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when non-empty <paramref name="text"/> would show nothing: spaces, joiners, marks and blank fillers only.</summary>
    public static bool IsInvisible(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length > 0 && text.EnumerateRunes().All(rune => Rune.IsWhiteSpace(rune) || IsInvisible(rune));
    }

    /// <summary>Forbidden characters or nothing visible: the text a name, tag or category may not be.</summary>
    public static bool IsUnacceptableLabel(string? text) =>
        text is { Length: > 0 } && (HasForbiddenCharacters(text) || IsInvisible(text));

    /// <summary>Throws when this process cannot normalize (invariant globalization, or no ICU): identities would split.</summary>
    public static void EnsureNormalizationWorks()
    {
        if (IdentityKey("\uFF41\u212B") != "a\u00E5")
        {
            throw new InvalidOperationException(
                "Unicode NFKC normalization does not work in this process (invariant globalization is on, or ICU is missing): " +
                "emails and tags would not compare as the same identity. Run with ICU (InvariantGlobalization false, libicu installed).");
        }
    }

    private static bool IsInvisible(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Control
        || rune.Value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800 or 0x180E;

    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
