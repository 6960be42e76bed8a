using System.Security.Cryptography;

namespace UserData.Gateway.Auth;

/// <summary>
/// Local runs (SQLite storage) with no <c>Auth:SigningKey</c> or <c>Auth:EmailKey</c> get the key generated once and
/// kept beside the database, so tokens and email claims survive restarts. Any other setup must configure both
/// keys; options validation says so.
/// </summary>
public static class SigningKeySetup
{
    public const string KeyFileName = "signing-key";
    public const string EmailKeyFileName = "email-key";

    public static void EnsureLocalSigningKey(IConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var provider = configuration["Storage:Provider"] ?? "Sqlite";
        if (!provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var databasePath = Path.GetFullPath(configuration["Storage:Sqlite:Path"] ?? Path.Combine("data", "userdata.db"));
        var folder = Path.GetDirectoryName(databasePath)!;
        EnsureLocalKey(configuration, "Auth:SigningKey", Path.Combine(folder, KeyFileName));
        EnsureLocalKey(configuration, "Auth:EmailKey", Path.Combine(folder, EmailKeyFileName));
    }

    private static void EnsureLocalKey(IConfigurationManager configuration, string name, string keyFile)
    {
        if (!string.IsNullOrEmpty(configuration[name]))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(keyFile)!);
        if (!File.Exists(keyFile))
        {
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            try
            {
                using var stream = new FileStream(keyFile, FileMode.CreateNew, FileAccess.Write, FileShare.None);
                using var writer = new StreamWriter(stream);
                writer.Write(key);
            }
            catch (IOException) when (File.Exists(keyFile))
            {
                // Another process wrote it first: use theirs.
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(keyFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        configuration[name] = File.ReadAllText(keyFile).Trim();
    }
}
