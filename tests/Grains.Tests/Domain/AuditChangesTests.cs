using System.Text.Json;
using UserData.Grains.Audit;

namespace UserData.Grains.Tests.Domain;

public class AuditChangesTests
{
    [Fact]
    public void Attributes_list_what_was_added_changed_and_removed_and_leave_the_rest_out()
    {
        var changes = Attributes("""{"kept":{"a":[1,2]},"changed":1,"removed":"x"}""", """{"added":true,"changed":2,"kept":{"a":[1,2]}}""");

        Assert.Equal(["attributes.added", "attributes.changed", "attributes.removed"], changes.Keys);
        Assert.Equal("(null -> true)", Show(changes["attributes.added"]));
        Assert.Equal("(1 -> 2)", Show(changes["attributes.changed"]));
        Assert.Equal("(\"x\" -> null)", Show(changes["attributes.removed"]));
    }

    [Fact]
    public void Emptied_attributes_list_each_one_removed()
    {
        var changes = Attributes("""{"a":1,"b":null}""", "{}");

        Assert.Equal(["attributes.a", "attributes.b"], changes.Keys);
        Assert.Equal("(1 -> null)", Show(changes["attributes.a"]));
        // The value was JSON null; the change is that the name is gone.
        Assert.Equal("(null -> null)", Show(changes["attributes.b"]));
    }

    [Fact]
    public void Many_attributes_with_one_changed_give_one_change()
    {
        var many = Enumerable.Range(0, 1_000).Select(i => $"\"k{i}\":\"v{i}\"").ToList();
        var before = "{" + string.Join(",", many) + "}";
        many[500] = "\"k500\":\"new\"";

        var changes = Attributes(before, "{" + string.Join(",", many) + "}");

        Assert.Equal("attributes.k500", Assert.Single(changes).Key);
    }

    private static SortedDictionary<string, FieldChange> Attributes(string before, string after)
    {
        var changes = new SortedDictionary<string, FieldChange>(StringComparer.Ordinal);
        AuditChanges.AddAttributes(changes, JsonDocument.Parse(before).RootElement, JsonDocument.Parse(after).RootElement);
        return changes;
    }

    private static string Show(FieldChange change) => $"({Raw(change.Old)} -> {Raw(change.New)})";

    private static string Raw(JsonElement? value) => value?.GetRawText() ?? "null";
}
