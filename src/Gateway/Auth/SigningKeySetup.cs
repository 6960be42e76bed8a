using System.Security.Cryptography;

namespace UserData.Gateway.Auth;

/// <summary>
/// Local runs (SQLite storage) with no <c>Auth:SigningKey</c> get a key generated once and kept beside the
/// database, so tokens survive restarts. Any other setup must configure the key; options validation says so.
/// </summary>
public static class SigningKeySetup
{
    public const string KeyFileName = "signing-key";

    public static void EnsureLocalSigningKey(IConfigurationManager configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var provider = configuration["Storage:Provider"] ?? "Sqlite";
        if (!string.IsNullOrEmpty(configuration["Auth:SigningKey"]) || !provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var databasePath = Path.GetFullPath(configuration["Storage:Sqlite:Path"] ?? Path.Combine("data", "userdata.db"));
        var folder = Path.GetDirectoryName(databasePath)!;
        Directory.CreateDirectory(folder);
        var keyFile = Path.Combine(folder, KeyFileName);
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

        configuration["Auth:SigningKey"] = File.ReadAllText(keyFile).Trim();
    }
}
