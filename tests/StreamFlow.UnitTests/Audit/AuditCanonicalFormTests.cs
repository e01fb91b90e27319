using System.Text;
using StreamFlow.Core.Audit;

namespace StreamFlow.UnitTests.Audit;

public sealed class AuditCanonicalFormTests
{
    [Fact]
    public void Canonical_form_is_pinned_byte_for_byte()
    {
        var canonical = AuditCanonicalForm.Serialize(
            sequence: 42,
            system: "client",
            tenantId: Guid.Parse("0190f5c2-7a1b-7c3d-8e4f-a1b2c3d4e5f6"),
            actor: "user:0190f5c2-0000-7000-8000-000000000001",
            action: "user.updated",
            target: "user:0190f5c2-0000-7000-8000-000000000002",
            outcome: "succeeded",
            ip: "203.0.113.7",
            userAgent: "curl/8.5 \"quoted\" é",
            occurredAt: new DateTimeOffset(2026, 11, 26, 9, 30, 15, TimeSpan.Zero).AddTicks(1234567),
            detailsJson: """{ "z": 1, "a": { "y": [2, {"b": true, "a": null}], "x": "text" } }""",
            prevHash: Enumerable.Range(0, 32).Select(i => (byte)i).ToArray());

        const string expected = """{"sequence":42,"system":"client","tenantId":"0190f5c2-7a1b-7c3d-8e4f-a1b2c3d4e5f6","actor":"user:0190f5c2-0000-7000-8000-000000000001","action":"user.updated","target":"user:0190f5c2-0000-7000-8000-000000000002","outcome":"succeeded","ip":"203.0.113.7","userAgent":"curl/8.5 \"quoted\" é","occurredAt":"2026-11-26T09:30:15.123456Z","details":{"a":{"x":"text","y":[2,{"a":null,"b":true}]},"z":1},"prevHash":"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"}""";
        Assert.Equal(expected, Encoding.UTF8.GetString(canonical));
        Assert.Equal("fa3e480134be280afed0f23ea7ef9786923ab03edc78e38a8bf65524d12d49b4", Convert.ToHexStringLower(AuditCanonicalForm.Hash(canonical)));
    }

    [Fact]
    public void Null_tenant_target_ip_and_user_agent_are_written_as_null()
    {
        var canonical = Encoding.UTF8.GetString(AuditCanonicalForm.Serialize(
            1, "platform", null, "system", "audit.head.published", null, "succeeded", null, null,
            new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), "{}", new byte[32]));

        Assert.Contains("\"tenantId\":null", canonical, StringComparison.Ordinal);
        Assert.Contains("\"target\":null", canonical, StringComparison.Ordinal);
        Assert.Contains("\"ip\":null,\"userAgent\":null", canonical, StringComparison.Ordinal);
    }
}
