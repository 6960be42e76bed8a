namespace UserData.TestSupport;

/// <summary>Finds the checkout's root (the folder holding UserData.sln) from a test's output folder.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(folder.FullName, "UserData.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No UserData.sln above {AppContext.BaseDirectory}.");
    }
}
