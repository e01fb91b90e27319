using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using StreamFlow.Core.Webhooks;
using StreamFlow.Tests.Shared;

namespace StreamFlow.UnitTests.Webhooks;

/// <summary>The published data schemas: the catalog's examples keep them, wrong shapes fail them, docs/webhooks.md shows them.</summary>
public sealed class WebhookEventSchemaTests
{
    private const string CatalogStart = "<!-- event-catalog:start (generated from WebhookEventCatalog by WebhookEventSchemaTests; STREAMFLOW_UPDATE_DOCS=1 rewrites it) -->";
    private const string CatalogEnd = "<!-- event-catalog:end -->";

    private static readonly WebhookEventContract Contract =
        new(WebhookEventCatalog.All.Select(e => (e.Name, e.DataSchema.GetRawText())));

    [Fact]
    public void Every_example_in_the_catalog_conforms_to_its_schema()
    {
        var violations = Contract.Check(WebhookEventCatalog.All.Select(e => ("example", e.Name, e.ExampleDataJson)));

        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Theory]
    [InlineData("lead.assigned", """{"leadId":"0190a5c4-7d2e-7c4f-9a51-3f0c2b7d1e10","ownerUserId":"0190a5c4-9b10-7aa1-8c3e-5d2f4e6a7b80"}""")]
    [InlineData("lead.scored", """{"leadId":"not-a-uuid","score":null}""")]
    [InlineData("invoice.paid", """{"invoiceId":"0190a5c5-0a11-7b2c-8d3e-4f5a6b7c8d90","number":"INV-1","paid":{"amount":499,"currency":"USD"},"paidAt":"2026-02-03T12:00:00+00:00"}""")]
    [InlineData("webhook.test", """{"message":"hi","extra":true}""")]
    [InlineData("lead.unknown", """{}""")]
    public void Data_that_differs_from_the_schema_is_named_as_a_violation(string eventType, string data)
    {
        var violations = Contract.Violations(eventType, data);

        Assert.NotEmpty(violations);
    }

    [Fact]
    public void Every_schema_is_an_object_schema_that_lists_and_requires_its_properties()
    {
        Assert.All(WebhookEventCatalog.All, e =>
        {
            var schema = e.DataSchema;
            Assert.Equal("object", schema.GetProperty("type").GetString());
            Assert.False(schema.GetProperty("additionalProperties").GetBoolean());
            Assert.Equal($"urn:streamflow:webhook-event:{e.Name}:data", schema.GetProperty("$id").GetString());
        });
    }

    [Fact]
    public void The_event_catalog_in_docs_webhooks_md_is_the_catalog_with_its_schemas()
    {
        var path = Path.Combine(RepositoryPaths.Root, "docs", "webhooks.md");
        var text = File.ReadAllText(path).ReplaceLineEndings("\n");
        var start = text.IndexOf(CatalogStart, StringComparison.Ordinal);
        var end = text.IndexOf(CatalogEnd, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"docs/webhooks.md has no section between '{CatalogStart}' and '{CatalogEnd}'.");

        var expected = $"{CatalogStart}\n{RenderCatalog()}{CatalogEnd}";
        var actual = text[start..(end + CatalogEnd.Length)];
        if (actual != expected && Environment.GetEnvironmentVariable("STREAMFLOW_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(path, text.Replace(actual, expected, StringComparison.Ordinal));
            return;
        }

        Assert.True(actual == expected, "docs/webhooks.md's event catalog differs from WebhookEventCatalog: run the unit tests with STREAMFLOW_UPDATE_DOCS=1 to rewrite it, and review the diff.");
    }

    private static string RenderCatalog()
    {
        var indented = new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var markdown = new StringBuilder();
        markdown.Append("| type | sent when | `data` properties |\n|---|---|---|\n");
        foreach (var e in WebhookEventCatalog.All)
        {
            var properties = e.DataSchema.GetProperty("properties").EnumerateObject().Select(p => $"`{p.Name}`");
            var when = e.Subscribable ? e.Description : $"{e.Description} (not subscribable)";
            markdown.Append($"| [`{e.Name}`](#{Anchor(e.Name)}) | {when} | {string.Join(", ", properties)} |\n");
        }

        foreach (var e in WebhookEventCatalog.All)
        {
            markdown.Append($"\n### {e.Name}\n\n{e.Description}\n\nExample `data`:\n\n```json\n")
                .Append(JsonSerializer.Serialize(e.Example, indented).ReplaceLineEndings("\n"))
                .Append("\n```\n\n<details><summary>JSON Schema of <code>data</code></summary>\n\n```json\n")
                .Append(JsonSerializer.Serialize(e.DataSchema, indented).ReplaceLineEndings("\n"))
                .Append("\n```\n\n</details>\n");
        }

        return markdown.Append('\n').ToString();
    }

    private static string Anchor(string eventType) => eventType.Replace(".", "", StringComparison.Ordinal);
}
