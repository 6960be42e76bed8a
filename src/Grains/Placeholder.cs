namespace UserData.Grains; internal static class Placeholder { }
