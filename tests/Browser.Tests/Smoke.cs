namespace UserData.Browser.Tests; public class Smoke { [Fact] public void Builds() => Assert.True(typeof(Smoke).Assembly.GetName().Name!.Length > 0); }
